namespace MiniStore.Benchmarks;

/// <summary>The benchmark's arguments: positional ones in their order, and named options (<c>--name value</c>) anywhere among them.</summary>
internal sealed record CommandLine
{
    private readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);

    public CommandLine(string[] args)
    {
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                positional.Add(args[i]);
            else if (i + 1 < args.Length)
                _options[args[i][2..]] = args[++i];
            else
                throw new ArgumentException($"option {args[i]} needs a value");
        }
        Positional = positional.ToArray();
    }

    public string[] Positional { get; init; }

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public string? At(int index) => index < Positional.Length ? Positional[index] : null;
}
