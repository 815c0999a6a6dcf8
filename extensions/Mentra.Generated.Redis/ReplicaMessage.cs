using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Mentra.Generated.Coordination;

namespace Mentra.Generated.Redis;

/// <summary>What one replica publishes on another's channel.</summary>
internal enum ReplicaMessageKind : byte
{
    /// <summary>A call for the replica that holds its session (<see cref="ReplicaMessage.Call"/>), to be answered with a <see cref="Reply"/>.</summary>
    Call = 1,

    /// <summary>The answer to a <see cref="Call"/>, on the caller's channel.</summary>
    Reply = 2,

    /// <summary>Another replica took the session over: release it if it is still held at <see cref="ReplicaMessage.Epoch"/>.</summary>
    Release = 3,
}

/// <summary>
/// One message between replicas, in a small binary form (no serializer, no reflection): the kind, an id that pairs a
/// reply with its call, the sender's replica, and the kind's own fields. A photo's bytes travel in the body, at most the
/// upload endpoint's 10 MB.
/// </summary>
internal sealed record ReplicaMessage(ReplicaMessageKind Kind, string Id, string From)
{
    private const byte Version = 1;

    public ForwardedCall? Call { get; init; }

    public ForwardedAnswer? Answer { get; init; }

    /// <summary>The session a <see cref="ReplicaMessageKind.Release"/> is for.</summary>
    public string? SessionId { get; init; }

    /// <summary>The epoch at which the receiver held the session, for a <see cref="ReplicaMessageKind.Release"/>.</summary>
    public long Epoch { get; init; }

    public byte[] Write()
    {
        using var stream = new MemoryStream(64 + (Call?.Body.Length ?? 0) + (Answer?.Body.Length ?? 0));
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write((byte)Kind);
            writer.Write(Id);
            writer.Write(From);
            switch (Kind)
            {
                case ReplicaMessageKind.Call:
                    writer.Write((byte)Call!.Kind);
                    writer.Write(Call.Key);
                    writer.Write(Call.Fields.Count);
                    foreach (KeyValuePair<string, string> field in Call.Fields)
                    {
                        writer.Write(field.Key);
                        writer.Write(field.Value);
                    }

                    writer.Write(Call.Body.Length);
                    writer.Write(Call.Body);
                    break;
                case ReplicaMessageKind.Reply:
                    writer.Write(Answer!.Status);
                    writer.Write(Answer.Body.Length);
                    writer.Write(Answer.Body);
                    break;
                case ReplicaMessageKind.Release:
                    writer.Write(SessionId!);
                    writer.Write(Epoch);
                    break;
            }
        }

        return stream.ToArray();
    }

    /// <summary>The message in <paramref name="data"/>; null when it is not one this version reads.</summary>
    public static ReplicaMessage? Read(byte[] data)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(data, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Version)
            {
                return null;
            }

            var kind = (ReplicaMessageKind)reader.ReadByte();
            string id = reader.ReadString();
            string from = reader.ReadString();
            switch (kind)
            {
                case ReplicaMessageKind.Call:
                    var callKind = (ForwardedKind)reader.ReadByte();
                    string key = reader.ReadString();
                    int count = reader.ReadInt32();
                    if (count is < 0 or > 64)
                    {
                        return null;
                    }

                    var fields = new Dictionary<string, string>(count, StringComparer.Ordinal);
                    for (int i = 0; i < count; i++)
                    {
                        fields[reader.ReadString()] = reader.ReadString();
                    }

                    return new ReplicaMessage(kind, id, from) { Call = new ForwardedCall(callKind, key, ReadBytes(reader), fields) };
                case ReplicaMessageKind.Reply:
                    int status = reader.ReadInt32();
                    return new ReplicaMessage(kind, id, from) { Answer = new ForwardedAnswer(status, ReadBytes(reader)) };
                case ReplicaMessageKind.Release:
                    return new ReplicaMessage(kind, id, from) { SessionId = reader.ReadString(), Epoch = reader.ReadInt64() };
                default:
                    return null;
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static byte[] ReadBytes(BinaryReader reader)
    {
        int length = reader.ReadInt32();
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new FormatException("The body's length is wrong.");
        }

        return reader.ReadBytes(length);
    }
}
