using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// <c>sendmsg</c>/<c>recvmsg</c> with one <c>SCM_RIGHTS</c> descriptor, always non-blocking
/// (<c>MSG_DONTWAIT</c>): the callers wait for readiness through the runtime's socket instead.
/// </summary>
internal static unsafe class FdTransport
{
    /// <summary>At most this many descriptors are accepted per receive; more (or a truncation) is an error.</summary>
    private const int ControlFdSlots = 8;

    /// <summary>
    /// Sends <paramref name="data"/> with <paramref name="fd"/> attached to its first byte. Returns the
    /// bytes sent (the descriptor went with them), or -1 when the socket would block (nothing was sent).
    /// </summary>
    internal static int SendWithDescriptor(SafeHandle channel, ReadOnlySpan<byte> data, int fd)
    {
        int space = Native.CmsgSpace(sizeof(int));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        var header = (Native.CmsgHdr*)control;
        header->Length = (nuint)Native.CmsgLen(sizeof(int));
        header->Level = Native.SolSocket;
        header->Type = Native.ScmRights;
        *(int*)(control + Native.CmsgAlign(sizeof(Native.CmsgHdr))) = fd;

        bool added = false;
        channel.DangerousAddRef(ref added);
        try
        {
            fixed (byte* bytes = data)
            {
                var iov = new Native.IoVec { Base = bytes, Length = (nuint)data.Length };
                var message = new Native.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
                while (true)
                {
                    nint sent = Native.SendMsg((int)channel.DangerousGetHandle(), &message, Native.MsgDontWait | Native.MsgNoSignal);
                    if (sent >= 0)
                    {
                        return (int)sent;
                    }

                    if (!WasInterrupted())
                    {
                        return -1;
                    }
                }
            }
        }
        finally
        {
            if (added)
            {
                channel.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/>, adding every descriptor that arrived to
    /// <paramref name="fds"/> (close-on-exec already set by the kernel). Returns the byte count, 0 at
    /// end of stream, or -1 when nothing is there yet. Truncated control data throws, after the
    /// descriptors that did arrive were added (the caller closes them).
    /// </summary>
    internal static int ReceiveWithDescriptors(SafeHandle channel, Span<byte> buffer, List<int> fds)
    {
        int space = Native.CmsgSpace(sizeof(int) * ControlFdSlots);
        byte* control = stackalloc byte[space];
        bool added = false;
        channel.DangerousAddRef(ref added);
        try
        {
            fixed (byte* bytes = buffer)
            {
                while (true)
                {
                    new Span<byte>(control, space).Clear();
                    var iov = new Native.IoVec { Base = bytes, Length = (nuint)buffer.Length };
                    var message = new Native.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)space };
                    nint received = Native.RecvMsg((int)channel.DangerousGetHandle(), &message, Native.MsgDontWait | Native.MsgCmsgCloexec);
                    if (received < 0)
                    {
                        if (WasInterrupted())
                        {
                            continue;
                        }

                        return -1;
                    }

                    CollectDescriptors(&message, fds);
                    if ((message.Flags & Native.MsgCtrunc) != 0)
                    {
                        throw new HandOffException("Control data was truncated: the peer sent more descriptors than a hand-off carries.");
                    }

                    return (int)received;
                }
            }
        }
        finally
        {
            if (added)
            {
                channel.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// After a failed non-blocking call: true when a signal interrupted it (call again), false when the
    /// socket would block; any other error throws.
    /// </summary>
    private static bool WasInterrupted()
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno is Native.EIntr or Native.EAgain)
        {
            return errno == Native.EIntr;
        }

        // SocketException(int) takes a SocketError, not an errno: the parameterless constructor reads the last
        // P/Invoke error and maps it as the runtime's own sockets do (EPIPE: Shutdown, ECONNRESET: ConnectionReset).
        Marshal.SetLastPInvokeError(errno);
        throw new SocketException();
    }

    private static void CollectDescriptors(Native.MsgHdr* message, List<int> fds)
    {
        byte* control = (byte*)message->Control;
        nuint length = message->ControlLength;
        int headerSize = Native.CmsgAlign(sizeof(Native.CmsgHdr));
        nuint offset = 0;
        while (offset + (nuint)sizeof(Native.CmsgHdr) <= length)
        {
            var header = (Native.CmsgHdr*)(control + offset);
            if (header->Length < (nuint)sizeof(Native.CmsgHdr) || offset + header->Length > length)
            {
                break;
            }

            if (header->Level == Native.SolSocket && header->Type == Native.ScmRights)
            {
                int count = (int)((header->Length - (nuint)headerSize) / sizeof(int));
                int* data = (int*)(control + offset + (nuint)headerSize);
                for (int i = 0; i < count; i++)
                {
                    fds.Add(data[i]);
                }
            }

            offset += (nuint)Native.CmsgAlign((int)header->Length);
        }
    }
}
