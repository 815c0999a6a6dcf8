using System;
using System.Threading;

namespace Mentra.Generated.Sessions;

/// <summary>A run-time registration (a handler, a subscription): disposing it undoes it, once.</summary>
internal sealed class Registration(Action undo) : IDisposable
{
    private Action? _undo = undo;

    public void Dispose() => Interlocked.Exchange(ref _undo, null)?.Invoke();
}
