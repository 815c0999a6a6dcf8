using System;
using System.Collections.Generic;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Sessions;

/// <summary>
/// An app's session handlers, bound at compile time: the generator derives a class from this for each
/// <c>[MentraApp]</c> whose methods handle streams or session events, with the subscriptions they imply.
/// Not meant to be derived from by hand.
/// </summary>
public abstract class AppSessionHandlers
{
    /// <summary>The subscriptions the app's handlers declare, computed at compile time; the cloud is sent them after every ack.</summary>
    public abstract IReadOnlyList<Subscription> Subscriptions { get; }

    /// <summary>Registers the app's handlers on a new session, before it connects.</summary>
    /// <param name="session">The session.</param>
    /// <param name="services">The host's services, for handlers' service parameters.</param>
    public abstract void Attach(AppSession session, IServiceProvider services);
}
