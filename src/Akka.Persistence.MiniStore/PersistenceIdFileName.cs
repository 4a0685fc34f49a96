using System.Security.Cryptography;
using System.Text;

namespace Akka.Persistence.MiniStore;

/// <summary>
/// Maps a persistence id to a file name that is safe on every file system: a readable, lower-cased prefix of the id
/// (letters, digits, '-', '_' only, at most 40 characters) and 32 hex digits of the SHA-256 of the exact id.
/// <c>counter/1</c> becomes <c>counter_1.3b0c7a...e1</c>. Any id lands inside the directory (no '/', '..', ':'),
/// names stay far below 255 bytes, and ids that differ only in case get different hashes, so case-insensitive file
/// systems keep them apart. The original id is stored in every record, so a listing can be mapped back.
/// </summary>
public static class PersistenceIdFileName
{
    private const int ReadablePrefixLength = 40;

    public static string For(string persistenceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var name = new StringBuilder(ReadablePrefixLength + 33);
        foreach (char c in persistenceId)
        {
            if (name.Length == ReadablePrefixLength) break;
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? char.ToLowerInvariant(c) : '_');
        }
        name.Append('.');
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(persistenceId));
        name.Append(Convert.ToHexStringLower(hash, 0, 16));
        return name.ToString();
    }
}
