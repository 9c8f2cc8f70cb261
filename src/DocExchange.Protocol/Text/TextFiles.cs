using System.Text;

namespace DocExchange.Protocol.Text;

/// <summary>
/// Text files from Vietnamese offices (unit lists, reorganisation plans) must be UTF-8. Excel's plain
/// "CSV" saves in the Windows code page instead (windows-1258 for Vietnamese, with tone marks as
/// separate combining characters): such a file is refused with how to save it as UTF-8, or converted
/// when its encoding is named. Text is normalised to NFC either way, so "Hóa" typed or converted
/// compares equal to "Hóa" stored.
/// </summary>
public static class TextFiles
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The Windows code pages (windows-1258 …) are not in .NET by default: registered once, when this class is first used.
    static TextFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The text of UTF-8 bytes (a BOM is dropped), NFC; false, with the offset of the first byte that is not UTF-8, otherwise.</summary>
    public static bool TryUtf8(ReadOnlySpan<byte> bytes, out string text, out int badOffset)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        try
        {
            text = StrictUtf8.GetString(bytes).Normalize(NormalizationForm.FormC);
            badOffset = -1;
            return true;
        }
        catch (DecoderFallbackException e)
        {
            text = "";
            badOffset = e.Index;
            return false;
        }
    }

    /// <summary>What to do about a file that is not UTF-8.</summary>
    public static string NotUtf8(string what, int offset) =>
        $"{what} is not UTF-8 (byte {offset} is not UTF-8 text): Excel's plain \"CSV\" saves in the Windows code page (windows-1258 for Vietnamese). "
        + "Save it again as \"CSV UTF-8 (Comma delimited) (*.csv)\", or import it naming its encoding: dex units import FILE --encoding windows-1258.";

    /// <summary>Decodes bytes in the named encoding (windows-1258, windows-1252, utf-8, …) to NFC text; throws ArgumentException naming the encoding when it is unknown.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string encodingName)
    {
        Encoding encoding;
        try
        {
            encoding = Encoding.GetEncoding(encodingName, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"'{encodingName}' is not an encoding this machine knows; for Excel files from Vietnamese Windows it is windows-1258.");
        }
        return encoding.GetString(bytes).Normalize(NormalizationForm.FormC);
    }
}
