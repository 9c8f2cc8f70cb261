using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocExchange.Hub.Infrastructure;
using DocExchange.Protocol.Axis;

namespace DocExchange.Hub.Features.Axis.Connector;

/// <summary>An answer of the axis longer than any the hub takes (a package over DEX_MAX_PACKAGE_MB): read no further.</summary>
public sealed class AxisAnswerTooLargeException(string call, long maxPackageBytes)
    : Exception($"the axis's answer to {call} holds a package larger than {maxPackageBytes} bytes (DEX_MAX_PACKAGE_MB), the most the hub takes")
{
    public long MaxPackageBytes { get; } = maxPackageBytes;
}

/// <summary>getEdoc answered OK with data that is not base64: no package can be read from it, however often it is asked for.</summary>
public sealed class AxisPackageNotBase64Exception() : Exception("The axis answered getEdoc with data that is not base64: the package cannot be read. Ask the sender to send it again.");

/// <summary>An answer of the axis: its envelope and fields, and for getEdoc the package decoded out of its data.</summary>
public sealed record AxisReply(JsonObject Fields, AxisPackage? Package);

/// <summary>A package fetched from the axis, holding its share of the intake memory budget until it is taken in (dispose then).</summary>
public sealed class AxisPackage(byte[] bytes, IDisposable? reserved) : IDisposable
{
    public byte[] Bytes { get; } = bytes;

    public void Dispose() => reserved?.Dispose();
}

/// <summary>
/// Reads an answer of the axis as it arrives, in pieces (never a buffer doubled to fit, never the whole text as a
/// string): its envelope and fields as JSON, and for getEdoc the package base64-decoded out of <c>data</c>, so a
/// package's answer costs its text and its bytes, not a parsed tree beside them. Answers up to
/// <see cref="UnreservedBytes"/> (nearly all) are read straight away; a longer package reserves its share of the
/// intake memory budget (<see cref="IntakeMemory"/>) before it is read on, waiting its turn as a clerk's upload does.
/// </summary>
internal static class AxisAnswerReader
{
    /// <summary>How much of a package's answer is read before it must hold intake memory: answers this long or shorter (two a lane at most: the package taken in, the next fetched ahead) are outside the budget.</summary>
    public const int UnreservedBytes = 4 * 1024 * 1024;
    private const int PieceBytes = 64 * 1024;

    /// <summary>
    /// The longest answer read: a package of DEX_MAX_PACKAGE_MB in base64 (4 bytes for 3), in lines of 76 characters with an
    /// escaped line break after each (80 for 76), and room for the envelope.
    /// </summary>
    public static long LongestAnswer(long maxPackageBytes) => maxPackageBytes / 3 * 4 * 80 / 76 + 1024 * 1024;

    public static async Task<AxisReply> ReadAsync(string call, HttpResponseMessage response, CallSilence silence,
        bool packageInData, long maxPackageBytes, IntakeMemory memory, CancellationToken ct)
    {
        var limit = LongestAnswer(maxPackageBytes);
        var declared = response.Content.Headers.ContentLength;
        if (declared > limit)
        {
            throw new AxisAnswerTooLargeException(call, maxPackageBytes);
        }
        IDisposable? reserved = null;
        try
        {
            List<byte[]> pieces = [];
            var length = 0L;
            await using (var body = await response.Content.ReadAsStreamAsync(silence.Token))
            {
                var piece = new byte[(int)Math.Clamp(declared ?? PieceBytes, 1, PieceBytes)];
                var filled = 0;
                while (true)
                {
                    if (filled == piece.Length)
                    {
                        pieces.Add(piece);
                        // A declared answer is read into pieces that end where it does (one byte more, to see its end).
                        piece = new byte[(int)Math.Clamp((declared ?? long.MaxValue) - length, 1, PieceBytes)];
                        filled = 0;
                    }
                    var n = await body.ReadAsync(piece.AsMemory(filled), silence.Token);
                    if (n == 0)
                    {
                        break;
                    }
                    silence.Moved();
                    filled += n;
                    length += n;
                    if (length > limit)
                    {
                        throw new AxisAnswerTooLargeException(call, maxPackageBytes);
                    }
                    if (packageInData && reserved is null && length > UnreservedBytes)
                    {
                        // Its text and its decoded bytes beside it (see IntakeMemory): the declared length, or the longest allowed.
                        silence.Pause();
                        reserved = await memory.ReserveAsync(declared ?? limit, Timeout.InfiniteTimeSpan, ct);
                        silence.Moved();
                    }
                }
                if (filled > 0)
                {
                    pieces.Add(filled == piece.Length ? piece : piece[..filled]);
                }
            }
            var (fields, package) = Parse(Sequence(pieces), packageInData);
            if (package is not null && package.Length > maxPackageBytes)
            {
                throw new AxisAnswerTooLargeException(call, maxPackageBytes);
            }
            var fetched = packageInData ? new AxisPackage(package ?? [], reserved) : null;
            reserved = null;
            return new AxisReply(fields, fetched);
        }
        finally
        {
            reserved?.Dispose();
        }
    }

    /// <summary>
    /// An answer's fields; with <paramref name="packageInData"/>, a string <c>data</c> is decoded from base64 into the
    /// package instead (line breaks in it, as MIME encoders write them, are skipped) and left out of the fields.
    /// </summary>
    internal static (JsonObject Fields, byte[]? Package) Parse(ReadOnlySequence<byte> answer, bool packageInData)
    {
        var reader = new Utf8JsonReader(answer);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("The axis answered with something other than a JSON object.");
        }
        var fields = new JsonObject();
        byte[]? package = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (packageInData && name == AxisAnswer.Data && reader.TokenType == JsonTokenType.String)
            {
                package = Base64Value(ref reader);
            }
            else
            {
                fields[name] = JsonNode.Parse(ref reader);
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("The axis's answer is not a complete JSON object.");
        }
        return (fields, package);
    }

    private static byte[] Base64Value(ref Utf8JsonReader reader)
    {
        var text = GC.AllocateUninitializedArray<byte>(checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length)));
        var length = reader.CopyString(text);
        return Base64.DecodeFromUtf8InPlace(text.AsSpan(0, length), out var written) == OperationStatus.Done
            ? text.AsSpan(0, written).ToArray()
            : throw new AxisPackageNotBase64Exception();
    }

    internal static ReadOnlySequence<byte> Sequence(List<byte[]> pieces)
    {
        if (pieces.Count <= 1)
        {
            return new ReadOnlySequence<byte>(pieces.Count == 0 ? [] : pieces[0]);
        }
        var first = new Piece(pieces[0], 0);
        var last = first;
        foreach (var next in pieces.Skip(1))
        {
            last = last.Append(next);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public Piece(byte[] bytes, long runningIndex) => (Memory, RunningIndex) = (bytes, runningIndex);

        public Piece Append(byte[] bytes)
        {
            var next = new Piece(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
