namespace Mentra.Generated;

/// <summary>
/// A class marked <see cref="MentraAppAttribute"/>. The generator implements this interface; do not
/// implement it by hand.
/// </summary>
public interface IMentraApp
{
    /// <summary>The generated dispatcher that routes each webhook to this app's handler for it.</summary>
    static abstract IWebhookDispatcher Dispatcher { get; }
}
