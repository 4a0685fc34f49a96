namespace MiniStore.Cli.Migration;

/// <summary>Export or import cannot go on; the message says which id and what happened.</summary>
internal sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
