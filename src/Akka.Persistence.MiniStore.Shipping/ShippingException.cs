namespace Akka.Persistence.MiniStore.Shipping;

/// <summary>
/// Shipping cannot go on without someone acting: the message says which file, line, persistence id and what was
/// expected. A shipper that meets one stops shipping (its health check reports Unhealthy) rather than skip an event.
/// </summary>
public class ShippingException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The target could not be reached or did not store a write; the shipper retries (with backoff) from what the target holds.</summary>
public sealed class TargetUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
