using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Akka.Persistence.MiniStore.Serialization;

/// <summary>
/// Decides, once per type, whether System.Text.Json gives back what it was given. STJ silently drops what it cannot
/// set on the way back (get-only properties without a matching constructor parameter, private setters, public
/// fields) and turns object- or interface-typed members into JsonElement; storing such a type as inline JSON would
/// replay events with default values. The check walks the type's STJ contract; the answer is cached.
/// </summary>
internal sealed class JsonRoundTripCheck
{
    private readonly JsonSerializerOptions _options;
    private readonly ConcurrentDictionary<Type, string?> _problems = new();

    public JsonRoundTripCheck(JsonSerializerOptions options) => _options = options;

    /// <summary>
    /// Null when the type of <paramref name="value"/> round-trips; otherwise what would be lost, in words. The first
    /// value of each type is also written, read back and written again, which catches custom converters that lose data.
    /// </summary>
    public string? ProblemWith(object value) =>
        _problems.TryGetValue(value.GetType(), out var problem) // no closure for the types already checked: one per event written
            ? problem
            : _problems.GetOrAdd(value.GetType(), t => Find(t, new HashSet<Type>(), t.Name) ?? WriteReadWrite(value, t));

    private string? WriteReadWrite(object value, Type type)
    {
        try
        {
            var written = JsonSerializer.SerializeToUtf8Bytes(value, type, _options);
            var readBack = JsonSerializer.Deserialize(written, type, _options);
            var rewritten = JsonSerializer.SerializeToUtf8Bytes(readBack, type, _options);
            return written.AsSpan().SequenceEqual(rewritten)
                ? null
                : $"its JSON changes when read back: wrote {System.Text.Encoding.UTF8.GetString(written)}, read back {System.Text.Encoding.UTF8.GetString(rewritten)}";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return $"System.Text.Json cannot write and read it back: {e.Message}";
        }
    }

    private string? Find(Type type, HashSet<Type> visiting, string path)
    {
        if (!visiting.Add(type))
            return null; // recursive types: each member is checked once
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(object) || underlying == typeof(JsonElement) || underlying == typeof(JsonDocument))
            return $"{path} is of type {underlying.Name}, which comes back as a JsonElement rather than the value written";

        var info = _options.GetTypeInfo(underlying);
        if ((underlying.IsInterface || underlying.IsAbstract) && info.Kind == JsonTypeInfoKind.Object && info.PolymorphismOptions is null)
            return $"{path} is of abstract type {underlying.Name} without [JsonPolymorphic], so its concrete type is lost";

        switch (info.Kind)
        {
            case JsonTypeInfoKind.None:
                return null; // a value with a converter: numbers, strings, dates, enums, Guid, ...
            case JsonTypeInfoKind.Enumerable:
                return Find(info.ElementType!, visiting, path + "[]");
            case JsonTypeInfoKind.Dictionary:
                return Find(info.KeyType!, visiting, path + ".key") ?? Find(info.ElementType!, visiting, path + "[key]");
        }

        if (info.CreateObject is null && info.ConstructorAttributeProvider is null && !underlying.IsValueType)
            return $"{path} ({underlying.Name}) has no public constructor System.Text.Json can call";

        if (!_options.IncludeFields)
        {
            var field = underlying.GetFields(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(f => f.GetCustomAttribute<JsonIncludeAttribute>() is null && f.GetCustomAttribute<JsonIgnoreAttribute>() is null);
            if (field is not null)
                return $"{path}.{field.Name} is a public field, which System.Text.Json does not store";
        }

        foreach (var property in info.Properties)
        {
            string propertyPath = $"{path}.{property.Name}";
            if (property.Get is null)
                continue; // never written, so nothing to lose
            if (property.Set is null && property.AssociatedParameter is null)
                return $"{propertyPath} has no public setter and no matching constructor parameter, so it would replay as its default value";
            var problem = Find(property.PropertyType, visiting, propertyPath);
            if (problem is not null)
                return problem;
        }
        visiting.Remove(type);
        return null;
    }
}
