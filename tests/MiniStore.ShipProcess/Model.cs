namespace ShipProcess;

/// <summary>The event the tests' sensors persist (stored as JSON on the device; serialized by the target's own serializer there).</summary>
public sealed record Reading(string Sensor, long N);

/// <summary>A sensor's snapshot.</summary>
public sealed record SensorState(long N);
