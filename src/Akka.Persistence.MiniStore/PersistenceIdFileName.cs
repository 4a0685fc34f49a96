using System.Security.Cryptography;
using System.Text;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// Maps a persistence id to a file name that is safe on every file system: a readable, lower-cased prefix of the id
/// (letters, digits, '-', '_' only, at most 40 characters) and 32 hex digits of the SHA-256 of the exact id.
/// <c>counter/1</c> becomes <c>counter_1.3b0c7a...e1</c>. Any id lands inside the directory (no '/', '..', ':'),
/// names stay far below 255 bytes, and ids that differ only in case get different hashes, so case-insensitive file
/// systems keep them apart. The original id is stored in every record, so a listing can be mapped back. An id that is
/// not valid Unicode (a lone surrogate) is refused: UTF-8 cannot hold it, and replacing it would merge distinct ids
/// and store an id that no longer matches the actor's.
/// </summary>
public static class PersistenceIdFileName
{
    private const int ReadablePrefixLength = 40;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string For(string persistenceId)
    {
        if (string.IsNullOrEmpty(persistenceId))
            throw new ArgumentException("A persistence id must not be empty: MiniStore names each id's files after it, and an actor's PersistenceId property returned " +
                                        (persistenceId is null ? "null." : "an empty string."));
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(persistenceId);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException(
                $"Persistence id of {persistenceId.Length} characters starting '{persistenceId[..Math.Min(e.Index, 40)]}' is not valid Unicode: " +
                $"it holds a lone surrogate (U+{(int)e.CharUnknown:X4}) at index {e.Index}, which a UTF-8 file cannot store unchanged.", nameof(persistenceId), e);
        }
        var name = new StringBuilder(ReadablePrefixLength + 33);
        foreach (char c in persistenceId)
        {
            if (name.Length == ReadablePrefixLength) break;
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '_');
        }
        name.Append('.');
        var hash = SHA256.HashData(utf8);
        name.Append(Convert.ToHexStringLower(hash, 0, 16));
        return name.ToString();
    }
}
