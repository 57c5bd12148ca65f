// The TCP and UDP tables of Windows through the IP Helper API (iphlpapi.dll), as compact JSON.
//
// Compiled by Get-PortTopSnapshot.ps1 with Add-Type (Windows PowerShell 5.1 compiles with the .NET
// Framework csc, which knows C# 5 only: no $"", nameof, ?., => members, out var, tuples). The parsing
// (IpHelperTable) is apart from the call (IpHelperNative), so tests on any OS feed it buffers built
// from the documented layouts (docs/windows.md, "The IP Helper tables").
//
// Entry points the scripts and the Wine test bed rely on (keep them stable):
//   PortTop.IpHelperNative.Fetch(bool tcp, int addressFamily) -> byte[]   (one raw table)
//   PortTop.IpHelperTable.TcpJson(byte[] table, bool ipv6, int[] ports, HashSet<long> owners) -> string
//   PortTop.IpHelperTable.UdpJson(byte[] table, bool ipv6, int[] ports, HashSet<long> owners) -> string
//   PortTop.IpHelperNative.TableSource: a replacement for Fetch (tests, benchmarks)
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace PortTop
{
    /// <summary>Rows of MIB_TCPTABLE_OWNER_PID, MIB_TCP6TABLE_OWNER_PID, MIB_UDPTABLE_OWNER_PID and
    /// MIB_UDP6TABLE_OWNER_PID buffers, written as JSON arrays of arrays (ASCII only):
    /// TCP rows [localAddress, localPort, remoteAddress, remotePort, "STATE", pid],
    /// UDP rows [localAddress, localPort, pid]. Rows are comma-separated without the outer brackets,
    /// so the caller can join the IPv4 and IPv6 parts (and rows from elsewhere) into one array.</summary>
    public static class IpHelperTable
    {
        public const int TcpRowSize = 24;
        public const int Tcp6RowSize = 56;
        public const int UdpRowSize = 12;
        public const int Udp6RowSize = 28;

        // MIB_TCP_STATE 1..12 as netstat names them; 100 (MIB_TCP_STATE_RESERVED) is Get-NetTCPConnection's Bound
        private static readonly string[] StateNames = {
            null, "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
            "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB"
        };

        public static string StateName(uint state)
        {
            if (state >= 1 && state <= 12) return StateNames[state];
            if (state == 100) return "BOUND";
            return null;
        }

        public static string TcpJson(byte[] table, bool ipv6, int[] ports, HashSet<long> owners)
        {
            return Rows(table, true, ipv6, ports, owners);
        }

        public static string UdpJson(byte[] table, bool ipv6, int[] ports, HashSet<long> owners)
        {
            return Rows(table, false, ipv6, ports, owners);
        }

        /// <summary>How many rows the table says it holds (dwNumEntries).</summary>
        public static int RowCount(byte[] table)
        {
            if (table == null || table.Length < 4) return 0;
            return (int)ReadUInt32(table, 0);
        }

        private static string Rows(byte[] table, bool tcp, bool ipv6, int[] ports, HashSet<long> owners)
        {
            int rowSize = tcp ? (ipv6 ? Tcp6RowSize : TcpRowSize) : (ipv6 ? Udp6RowSize : UdpRowSize);
            int count = RowCount(table);
            // dwNumEntries, then rows back to back from offset 4 (all fields are DWORDs or bytes)
            if (count < 0 || 4L + (long)count * rowSize > (table == null ? 0 : table.Length))
            {
                throw new ArgumentException("the table says " + count + " rows of " + rowSize + " bytes but holds " + (table == null ? 0 : table.Length) + " bytes");
            }
            HashSet<int> wanted = null;
            if (ports != null && ports.Length > 0) wanted = new HashSet<int>(ports);
            StringBuilder json = new StringBuilder(count * (tcp ? 56 : 28) + 16);
            Dictionary<uint, string> ipv4Text = new Dictionary<uint, string>();
            bool first = true;
            for (int i = 0; i < count; i++)
            {
                int o = 4 + i * rowSize;
                int localPort;
                string local, remote = null, state = null;
                int remotePort = 0;
                uint pid;
                if (tcp && !ipv6)
                {
                    localPort = Port(table, o + 8);
                    if (wanted != null && !wanted.Contains(localPort)) continue;
                    state = StateName(ReadUInt32(table, o));
                    local = Ipv4(table, o + 4, ipv4Text);
                    remote = Ipv4(table, o + 12, ipv4Text);
                    remotePort = Port(table, o + 16);
                    pid = ReadUInt32(table, o + 20);
                }
                else if (tcp)
                {
                    localPort = Port(table, o + 20);
                    if (wanted != null && !wanted.Contains(localPort)) continue;
                    local = Ipv6(table, o, ReadUInt32(table, o + 16));
                    remote = Ipv6(table, o + 24, ReadUInt32(table, o + 40));
                    remotePort = Port(table, o + 44);
                    state = StateName(ReadUInt32(table, o + 48));
                    pid = ReadUInt32(table, o + 52);
                }
                else if (!ipv6)
                {
                    localPort = Port(table, o + 4);
                    if (wanted != null && !wanted.Contains(localPort)) continue;
                    local = Ipv4(table, o, ipv4Text);
                    pid = ReadUInt32(table, o + 8);
                }
                else
                {
                    localPort = Port(table, o + 20);
                    if (wanted != null && !wanted.Contains(localPort)) continue;
                    local = Ipv6(table, o, ReadUInt32(table, o + 16));
                    pid = ReadUInt32(table, o + 24);
                }
                if (!first) json.Append(',');
                first = false;
                json.Append("[\"").Append(local).Append("\",").Append(localPort);
                if (tcp)
                {
                    json.Append(",\"").Append(remote).Append("\",").Append(remotePort).Append(',');
                    // an unknown state goes through as its number: the reader names it in a warning
                    if (state == null) json.Append(ReadUInt32(table, ipv6 ? o + 48 : o));
                    else json.Append('"').Append(state).Append('"');
                }
                json.Append(',').Append(pid).Append(']');
                if (owners != null && pid != 0) owners.Add(pid);
            }
            return json.ToString();
        }

        /// <summary>A DWORD, little-endian (every Windows that runs .NET is).</summary>
        public static uint ReadUInt32(byte[] b, int o)
        {
            return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        }

        /// <summary>A port: network byte order in the low 16 bits of the DWORD; the upper 16 bits may be garbage.</summary>
        public static int Port(byte[] b, int o)
        {
            return (b[o] << 8) | b[o + 1];
        }

        /// <summary>An in_addr DWORD: the octets in memory order.</summary>
        private static string Ipv4(byte[] b, int o, Dictionary<uint, string> cache)
        {
            uint key = ReadUInt32(b, o);
            string text;
            if (!cache.TryGetValue(key, out text))
            {
                text = b[o] + "." + b[o + 1] + "." + b[o + 2] + "." + b[o + 3];
                cache[key] = text;
            }
            return text;
        }

        /// <summary>16 bytes in network order and the scope id as the table holds it (as .NET's own
        /// IPGlobalProperties reads it: the DWORD as is); "fe80::1%5" for a link-local address with a
        /// scope id. Other addresses print without one, as Get-NetTCPConnection shows them: a scope id
        /// means nothing there (Wine fills one in for ::1, which would print "::1%4096").</summary>
        private static string Ipv6(byte[] b, int o, uint scopeId)
        {
            byte[] address = new byte[16];
            Buffer.BlockCopy(b, o, address, 0, 16);
            bool linkLocal = address[0] == 0xfe && (address[1] & 0xc0) == 0x80;
            return (linkLocal ? new IPAddress(address, scopeId) : new IPAddress(address)).ToString();
        }

        /// <summary>JSON string text for any .NET string with every non-ASCII character as \uXXXX,
        /// so the output survives any console code page.</summary>
        public static string AsciiJsonString(string value)
        {
            if (value == null) return "null";
            StringBuilder json = new StringBuilder(value.Length + 2);
            json.Append('"');
            foreach (char c in value)
            {
                if (c == '"') json.Append("\\\"");
                else if (c == '\\') json.Append("\\\\");
                else if (c < 0x20 || c > 0x7e) json.Append("\\u").Append(((int)c).ToString("x4"));
                else json.Append(c);
            }
            return json.Append('"').ToString();
        }
    }

    /// <summary>GetExtendedTcpTable (TCP_TABLE_OWNER_PID_ALL) and GetExtendedUdpTable (UDP_TABLE_OWNER_PID).</summary>
    public static class IpHelperNative
    {
        public const int AfInet = 2;
        public const int AfInet6 = 23;
        private const int TcpTableOwnerPidAll = 5;
        private const int UdpTableOwnerPid = 1;
        private const uint ErrorInsufficientBuffer = 122;

        /// <summary>When set, Fetch returns what this returns instead of asking Windows (tests, benchmarks).</summary>
        public static Func<bool, int, byte[]> TableSource;

        [DllImport("iphlpapi.dll", SetLastError = false)]
        private static extern uint GetExtendedTcpTable(IntPtr table, ref int size, bool order, int addressFamily, int tableClass, int reserved);

        [DllImport("iphlpapi.dll", SetLastError = false)]
        private static extern uint GetExtendedUdpTable(IntPtr table, ref int size, bool order, int addressFamily, int tableClass, int reserved);

        private static uint Get(bool tcp, IntPtr table, ref int size, int addressFamily)
        {
            return tcp
                ? GetExtendedTcpTable(table, ref size, false, addressFamily, TcpTableOwnerPidAll, 0)
                : GetExtendedUdpTable(table, ref size, false, addressFamily, UdpTableOwnerPid, 0);
        }

        /// <summary>One whole table as bytes. Off Windows this throws DllNotFoundException (the caller falls back).</summary>
        public static byte[] Fetch(bool tcp, int addressFamily)
        {
            if (TableSource != null) return TableSource(tcp, addressFamily);
            // ask for the size, allocate, ask again; the table can grow in between (122 again): retry
            for (int attempt = 0; attempt < 8; attempt++)
            {
                int size = 0;
                uint rc = Get(tcp, IntPtr.Zero, ref size, addressFamily);
                if (rc != 0 && rc != ErrorInsufficientBuffer) throw new Win32Exception((int)rc);
                size += 4096; // room for rows that appear before the second call
                IntPtr table = Marshal.AllocHGlobal(size);
                try
                {
                    rc = Get(tcp, table, ref size, addressFamily);
                    if (rc == ErrorInsufficientBuffer) continue;
                    if (rc != 0) throw new Win32Exception((int)rc);
                    byte[] bytes = new byte[size];
                    Marshal.Copy(table, bytes, 0, size);
                    return bytes;
                }
                finally
                {
                    Marshal.FreeHGlobal(table);
                }
            }
            throw new InvalidOperationException("the " + (tcp ? "TCP" : "UDP") + " table kept growing while it was read");
        }
    }
}
