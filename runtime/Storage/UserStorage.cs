using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Storage;

/// <summary>
/// One user's values in the cloud's per-user storage of this app: strings by key, or any type through your own
/// <c>JsonSerializerContext</c> (NativeAOT). Reads come from memory once the values have been read from the cloud; a
/// write changes memory at once and reaches the cloud in a batch (3 s after the last write, 10 s after the first at
/// most), at the session's end, when the host stops, or on <see cref="FlushAsync"/>. A write the cloud refuses for a
/// passing reason (429, 5xx, no network) is kept and tried again with backoff; one it refuses for good (413, the
/// user's 1 MB is full) is kept in memory, logged, and makes <see cref="FlushAsync"/> throw: never dropped silently.
/// Deletes and clears are sent at once. Thread-safe.
/// </summary>
public sealed class UserStorage
{
    /// <summary>The cloud's limit for one value: 100 KB (of UTF-8).</summary>
    public const int MaxValueBytes = 100_000;

    private const int InteractiveAttempts = 3;

    private readonly MentraStorage _storage;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly Dictionary<string, string> _pending = new(StringComparer.Ordinal);
    private Dictionary<string, string>? _values;
    private Task? _loading;
    private Uri _cloud;
    private ITimer? _timer;
    private long? _firstWrite;
    private int _holders;
    private int _failures;
    private bool _retired;

    internal UserStorage(MentraStorage storage, string userId, Uri cloud, bool registered = true)
    {
        _storage = storage;
        UserId = userId;
        _cloud = cloud;
        _retired = !registered;
    }

    /// <summary>The storage this user's values belong to.</summary>
    internal MentraStorage Owner => _storage;

    /// <summary>The user whose values these are.</summary>
    public string UserId { get; }

    /// <summary>How many written values have not reached the cloud yet.</summary>
    public int PendingWrites
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The value of <paramref name="key"/>, or null when the user has none.</summary>
    public async ValueTask<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _values!.TryGetValue(key, out string? value) ? value : null;
        }
    }

    /// <summary>The value of <paramref name="key"/> read as <typeparamref name="T"/> with <paramref name="typeInfo"/>; default when the user has none.</summary>
    public async ValueTask<T?> GetJsonAsync<T>(string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return await GetAsync(key, cancellationToken).ConfigureAwait(false) is { } json ? JsonSerializer.Deserialize(json, typeInfo) : default;
    }

    /// <summary>
    /// Sets <paramref name="key"/> to <paramref name="value"/>: at once in memory, in the cloud with the next batch. Throws
    /// <see cref="MentraStorageException"/> for a value over <see cref="MaxValueBytes"/>, which the cloud would refuse.
    /// </summary>
    public ValueTask SetAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        int bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxValueBytes)
        {
            throw new MentraStorageException($"The value of '{key}' is {bytes.ToString(CultureInfo.InvariantCulture)} bytes; the cloud keeps at most {MaxValueBytes.ToString(CultureInfo.InvariantCulture)} bytes a value. Keep large data in storage of your own.");
        }

        bool register;
        lock (_gate)
        {
            if (_values is not null)
            {
                _values[key] = value;
            }

            _pending[key] = value;
            register = _retired;
            _retired = false;
            Schedule();
        }

        if (register)
        {
            _storage.Register(this);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> written as JSON with <paramref name="typeInfo"/>.</summary>
    public ValueTask SetJsonAsync<T>(string key, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return SetAsync(key, JsonSerializer.Serialize(value, typeInfo), cancellationToken);
    }

    /// <summary>Deletes <paramref name="key"/>, in memory and in the cloud, at once; throws <see cref="MentraStorageException"/> when the cloud refuses.</summary>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _pending.Remove(key);
                _values?.Remove(key);
            }

            await CallAsync(HttpMethod.Delete, Path() + "/" + Uri.EscapeDataString(key), null, InteractiveAttempts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Deletes all of the user's values, in memory and in the cloud, at once.</summary>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _pending.Clear();
                _values = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            await CallAsync(HttpMethod.Delete, Path(), null, InteractiveAttempts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The user's keys.</summary>
    public async ValueTask<IReadOnlyList<string>> KeysAsync(CancellationToken cancellationToken = default)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return [.. _values!.Keys];
        }
    }

    /// <summary>
    /// Sends the pending writes now and returns once the cloud has them. Throws <see cref="MentraStorageException"/> when
    /// it refuses them (they stay pending): 413 when the user's values would exceed the cloud's 1 MB, 429 when its rate
    /// limit holds after the retries.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => SendPendingAsync(InteractiveAttempts, cancellationToken);

    // The batching, the sending, the retries.

    /// <summary>Under the lock: the batch goes 3 s after this write, or 10 s after its first write, whichever is sooner.</summary>
    private void Schedule()
    {
        long now = _storage.Time.GetTimestamp();
        _firstWrite ??= now;
        TimeSpan left = _storage.Timings.MaxWait - _storage.Time.GetElapsedTime(_firstWrite.Value, now);
        Arm(left < _storage.Timings.Idle ? (left < TimeSpan.Zero ? TimeSpan.Zero : left) : _storage.Timings.Idle);
    }

    private void Arm(TimeSpan due)
    {
        if (_timer is null)
        {
            using (ExecutionContext.SuppressFlow())
            {
                _timer = _storage.Time.CreateTimer(static state => _ = ((UserStorage)state!).SendInBackgroundAsync(), this, due, Timeout.InfiniteTimeSpan);
            }
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    internal void StopTimer()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>A batch the timer sends: a passing failure is tried again later with backoff, a lasting one is logged and kept.</summary>
    private async Task SendInBackgroundAsync()
    {
        try
        {
            await SendPendingAsync(1, CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _failures = 0;
            }

            _storage.Retire(this);
        }
        catch (MentraStorageException e)
        {
            int count;
            bool again;
            lock (_gate)
            {
                count = _pending.Count;
                again = Passing(e.StatusCode) && ++_failures < _storage.Timings.Attempts;
                if (again)
                {
                    Arm(Backoff(_failures, null));
                }
            }

            if (again)
            {
                Log.StorageKept(_storage.Logger, UserId, count, e.Message);
            }
            else
            {
                Log.StorageRefused(_storage.Logger, UserId, count, e.Message);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
        {
            // The host is stopping; its own flush sends what is left.
        }
    }

    /// <summary>The end of a session or of the host: the pending writes are sent within the timings' bound; a failure is logged, the writes kept.</summary>
    internal async Task FlushAtEndAsync(CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_storage.Timings.EndBound);
        try
        {
            await SendPendingAsync(InteractiveAttempts, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MentraStorageException or OperationCanceledException)
        {
            Log.StorageRefused(_storage.Logger, UserId, PendingWrites, e is MentraStorageException ? e.Message : "the cloud did not answer in time");
        }
    }

    private async Task SendPendingAsync(int attempts, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Dictionary<string, string> batch;
            lock (_gate)
            {
                _firstWrite = null;
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                if (_pending.Count == 0)
                {
                    return;
                }

                batch = new Dictionary<string, string>(_pending, StringComparer.Ordinal);
            }

            await CallAsync(HttpMethod.Put, Path(), Body(batch), attempts, cancellationToken).ConfigureAwait(false);

            lock (_gate)
            {
                // A key written again while the batch was on its way keeps its newer value pending.
                foreach (KeyValuePair<string, string> sent in batch)
                {
                    if (_pending.TryGetValue(sent.Key, out string? now) && ReferenceEquals(now, sent.Value))
                    {
                        _pending.Remove(sent.Key);
                    }
                }

                if (_pending.Count > 0)
                {
                    Schedule();
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Reads the user's values from the cloud once (callers at the same time share the read); pending writes stay on top.</summary>
    private Task LoadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_values is not null)
            {
                return Task.CompletedTask;
            }

            Task loading = _loading ??= ReadAsync();
            if (loading.IsFaulted)
            {
                _loading = null; // failed at once: the next read tries again
            }

            return loading.WaitAsync(cancellationToken);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            byte[] body = await CallAsync(HttpMethod.Get, Path(), null, InteractiveAttempts, CancellationToken.None).ConfigureAwait(false);
            Dictionary<string, string> values = Values(body);
            lock (_gate)
            {
                foreach (KeyValuePair<string, string> pending in _pending)
                {
                    values[pending.Key] = pending.Value;
                }

                _values = values;
            }
        }
        catch (MentraStorageException)
        {
            lock (_gate)
            {
                _loading = null; // the next read tries again; the failure is not held meanwhile
            }

            throw;
        }
    }

    /// <summary>The values of the cloud's answer to a read: each key's string (a value of another JSON kind as its JSON text).</summary>
    private static Dictionary<string, string> Values(byte[] body)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            StorageResponse? response = JsonSerializer.Deserialize(body, AppSessionJsonContext.Default.StorageResponse);
            if (response?.Data is { ValueKind: JsonValueKind.Object } data)
            {
                foreach (JsonProperty property in data.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
        }
        catch (JsonException e)
        {
            throw new MentraStorageException("The cloud's storage answered with JSON that is not a storage answer: " + e.Message, 200, e);
        }

        return values;
    }

    private static HttpContent Body(Dictionary<string, string> batch)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, string> entry in batch)
            {
                writer.WriteString(entry.Key, entry.Value);
            }

            writer.WriteEndObject();
        }

        using JsonDocument data = JsonDocument.Parse(buffer.WrittenMemory);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new StorageWrite { Data = data.RootElement }, AppSessionJsonContext.Default.StorageWrite));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private string Path()
    {
        lock (_gate)
        {
            return new Uri(_cloud, "api/sdk/simple-storage/" + Uri.EscapeDataString(UserId)).AbsoluteUri;
        }
    }

    /// <summary>
    /// One call, tried up to <paramref name="attempts"/> times while the cloud's refusal is passing (429 with its
    /// Retry-After, 5xx, no answer); returns the body of a success, else throws <see cref="MentraStorageException"/>.
    /// </summary>
    private async Task<byte[]> CallAsync(HttpMethod method, string url, HttpContent? content, int attempts, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _storage.PackageName + ":" + _storage.ApiKey);
            MentraStorageException failure;
            TimeSpan? retryAfter = null;
            try
            {
                using HttpResponseMessage response = await _storage.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
                failure = Refusal((int)response.StatusCode, body);
            }
            catch (HttpRequestException e)
            {
                failure = new MentraStorageException("The cloud's storage could not be reached: " + e.Message, null, e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new MentraStorageException("The cloud's storage did not answer in time.", null, e);
            }
            finally
            {
                request.Content = null; // the batch is sent again as it is on the next attempt
            }

            if (attempt >= attempts || !Passing(failure.StatusCode))
            {
                content?.Dispose();
                throw failure;
            }

            await Task.Delay(Backoff(attempt, retryAfter), _storage.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static MentraStorageException Refusal(int status, byte[] body)
    {
        string said = string.Empty;
        try
        {
            if (JsonSerializer.Deserialize(body, AppSessionJsonContext.Default.StorageResponse) is { } answer && (answer.Error ?? answer.Message) is { Length: > 0 } text)
            {
                said = ": " + (text.Length > 200 ? text.Substring(0, 200) : text);
            }
        }
        catch (JsonException)
        {
        }

        string code = status.ToString(CultureInfo.InvariantCulture);
        return status switch
        {
            413 => new MentraStorageException($"The user's stored values would exceed the cloud's 1 MB ({code}){said}. Delete keys to make room; the writes are kept until then.", status),
            429 => new MentraStorageException($"The cloud's storage rate limit was reached ({code}){said}.", status),
            401 or 403 => new MentraStorageException($"The cloud refused the app's key for storage ({code}){said}.", status),
            _ => new MentraStorageException($"The cloud's storage answered {code}{said}.", status),
        };
    }

    /// <summary>Whether a failure may pass by itself: no answer, too many calls, or a server error.</summary>
    private static bool Passing(int? status) => status is null or 429 or 408 or >= 500;

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        double seconds = _storage.Timings.FirstRetry.TotalSeconds * Math.Pow(2, attempt - 1);
        TimeSpan wait = TimeSpan.FromSeconds(Math.Min(seconds, _storage.Timings.MaxRetry.TotalSeconds));
        return retryAfter is { } after && after > wait ? (after < _storage.Timings.MaxRetry ? after : _storage.Timings.MaxRetry) : wait;
    }

    // Held by live sessions, forgotten when nothing holds it and nothing is left to send.

    internal bool TryHold(Uri cloud)
    {
        lock (_gate)
        {
            if (_retired)
            {
                return false;
            }

            _holders++;
            _cloud = cloud;
            return true;
        }
    }

    internal void Unhold()
    {
        lock (_gate)
        {
            _holders--;
        }
    }

    internal bool TryRetire()
    {
        lock (_gate)
        {
            if (_holders > 0 || _pending.Count > 0 || _retired)
            {
                return false;
            }

            _retired = true;
            _timer?.Dispose();
            _timer = null;
            return true;
        }
    }
}
