namespace ServerlessLineage.Core.Contract;

/// <summary>Behaviour event kinds of the data contract. Parsed case-insensitively; written lower case.</summary>
public enum EventType
{
    View,
    Click,
    AddToCart,
    Purchase,
}

public static class EventTypes
{
    public static string ToWireName(this EventType type) => type switch
    {
        EventType.View => "view",
        EventType.Click => "click",
        EventType.AddToCart => "add_to_cart",
        EventType.Purchase => "purchase",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown event type."),
    };

    public static bool TryParse(ReadOnlySpan<char> text, out EventType type)
    {
        if (text.Equals("view", StringComparison.OrdinalIgnoreCase)) { type = EventType.View; return true; }
        if (text.Equals("click", StringComparison.OrdinalIgnoreCase)) { type = EventType.Click; return true; }
        if (text.Equals("add_to_cart", StringComparison.OrdinalIgnoreCase)) { type = EventType.AddToCart; return true; }
        if (text.Equals("purchase", StringComparison.OrdinalIgnoreCase)) { type = EventType.Purchase; return true; }
        type = default;
        return false;
    }

    /// <summary>An engagement after a view makes that view's example positive.</summary>
    public static bool IsEngagement(this EventType type) => type is EventType.Click or EventType.AddToCart or EventType.Purchase;
}
