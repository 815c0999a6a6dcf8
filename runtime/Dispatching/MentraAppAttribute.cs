using System;

namespace Mentra.Generated;

/// <summary>
/// Marks a <c>partial</c> class whose methods handle webhooks (<c>[OnSession]</c>, <c>[OnStop]</c>, ...).
/// The generator binds each webhook type to its method at compile time and makes the class an
/// <see cref="IMentraApp"/>; register it with <c>AddMentraApp&lt;TApp&gt;()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MentraAppAttribute : Attribute
{
}
