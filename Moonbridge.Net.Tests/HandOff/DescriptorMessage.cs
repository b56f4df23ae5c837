using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.HandOff.Internal;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// Sends one message carrying any number of descriptors (<c>SCM_RIGHTS</c>) with a plain <c>sendmsg</c>: what a
/// peer that breaks the hand-off protocol may send, where the library itself only ever sends one.
/// </summary>
internal static class DescriptorMessage
{
    private static int HeaderSize => Native.CmsgAlign(IntPtr.Size + (2 * sizeof(int)));

    /// <summary>Sends <paramref name="data"/> (at least one byte) with <paramref name="fds"/> attached; returns the bytes sent.</summary>
    public static int Send(Socket socket, byte[] data, IReadOnlyList<int> fds)
    {
        int dataLength = fds.Count * sizeof(int);
        int space = HeaderSize + Native.CmsgAlign(dataLength);
        IntPtr control = Marshal.AllocHGlobal(space);
        GCHandle pinned = GCHandle.Alloc(data, GCHandleType.Pinned);
        IntPtr iov = Marshal.AllocHGlobal(Marshal.SizeOf<IoVec>());
        try
        {
            for (int i = 0; i < space; i++)
            {
                Marshal.WriteByte(control, i, 0);
            }

            Marshal.WriteIntPtr(control, 0, HeaderSize + dataLength);
            Marshal.WriteInt32(control, IntPtr.Size, Native.SolSocket);
            Marshal.WriteInt32(control, IntPtr.Size + sizeof(int), Native.ScmRights);
            for (int i = 0; i < fds.Count; i++)
            {
                Marshal.WriteInt32(control, HeaderSize + (i * sizeof(int)), fds[i]);
            }

            Marshal.StructureToPtr(new IoVec { Base = pinned.AddrOfPinnedObject(), Length = (nuint)data.Length }, iov, false);
            var message = new MsgHdr { Iov = iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
            nint sent = SendMsg((int)socket.Handle, ref message, Native.MsgNoSignal);
            return sent >= 0 ? (int)sent : throw new SocketException(Marshal.GetLastPInvokeError());
        }
        finally
        {
            Marshal.FreeHGlobal(iov);
            pinned.Free();
            Marshal.FreeHGlobal(control);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public IntPtr Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public IntPtr Name;
        public uint NameLength;
        public IntPtr Iov;
        public nuint IovLength;
        public IntPtr Control;
        public nuint ControlLength;
        public int Flags;
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
    [DllImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint SendMsg(int fd, ref MsgHdr message, int flags);
}
