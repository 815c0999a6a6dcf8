using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Mentra.Generated.Protocol;
using Microsoft.AspNetCore.Http;

namespace Mentra.Generated.Emulator;

/// <summary>
/// The cloud's per-user storage REST API (<c>/api/sdk/simple-storage/{userId}</c>), as the app's SDK calls it: the app's
/// key as <c>Bearer &lt;packageName&gt;:&lt;apiKey&gt;</c> (else 401), 413 when a user's keys and values would pass the
/// limit, 429 with <c>Retry-After</c> past the calls allowed a minute, and answers that can be made to fail on command.
/// </summary>
public sealed class EmulatedStorage
{
    private readonly EmulatorOptions _options;
    private readonly ConcurrentDictionary<string, Dictionary<string, string>> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<int> _failures = new();
    private int _requests;

    internal EmulatedStorage(EmulatorOptions options) => _options = options;

    /// <summary>How many calls the storage answered (refusals included).</summary>
    public int Requests => System.Threading.Volatile.Read(ref _requests);

    /// <summary>A copy of <paramref name="userId"/>'s values as the cloud holds them.</summary>
    public IReadOnlyDictionary<string, string> Of(string userId)
    {
        lock (_users)
        {
            return _users.TryGetValue(userId, out Dictionary<string, string>? values) ? new Dictionary<string, string>(values) : new Dictionary<string, string>();
        }
    }

    /// <summary>Sets a value as if an earlier session had stored it.</summary>
    public void Put(string userId, string key, string value)
    {
        lock (_users)
        {
            _users.GetOrAdd(userId, static _ => new Dictionary<string, string>(StringComparer.Ordinal))[key] = value;
        }
    }

    /// <summary>Answers the next <paramref name="count"/> calls with <paramref name="status"/> (503 for an outage, 429, ...), before any check.</summary>
    public void FailNext(int status, int count = 1)
    {
        for (int i = 0; i < count; i++)
        {
            _failures.Enqueue(status);
        }
    }

    internal async Task HandleAsync(HttpContext context, string userId, string? key)
    {
        System.Threading.Interlocked.Increment(ref _requests);
        HttpResponse response = context.Response;
        if (_failures.TryDequeue(out int failure))
        {
            await AnswerAsync(response, failure, "The emulated cloud was told to fail this call.").ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.Authorization.ToString() != "Bearer " + _options.PackageName + ":" + _options.ApiKey)
        {
            await AnswerAsync(response, StatusCodes.Status401Unauthorized, "Invalid app credentials.").ConfigureAwait(false);
            return;
        }

        if (!Allowed(userId))
        {
            response.Headers.RetryAfter = "1";
            await AnswerAsync(response, StatusCodes.Status429TooManyRequests, "Rate limit exceeded.").ConfigureAwait(false);
            return;
        }

        switch (context.Request.Method)
        {
            case "GET" when key is null:
                response.ContentType = "application/json";
                await response.WriteAsync(JsonSerializer.Serialize(new StorageResponse { Success = true, Data = Json(Of(userId)) }, AppSessionJsonContext.Default.StorageResponse)).ConfigureAwait(false);
                return;
            case "PUT" when key is null:
                await PutAsync(context, userId).ConfigureAwait(false);
                return;
            case "DELETE":
                lock (_users)
                {
                    if (_users.TryGetValue(userId, out Dictionary<string, string>? values))
                    {
                        if (key is null)
                        {
                            values.Clear();
                        }
                        else
                        {
                            values.Remove(key);
                        }
                    }
                }

                await AnswerAsync(response, StatusCodes.Status200OK, null).ConfigureAwait(false);
                return;
            default:
                await AnswerAsync(response, StatusCodes.Status405MethodNotAllowed, "Not a storage call.").ConfigureAwait(false);
                return;
        }
    }

    private async Task PutAsync(HttpContext context, string userId)
    {
        Dictionary<string, string> batch;
        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body).ConfigureAwait(false);
            if (!body.RootElement.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object || data.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            {
                await AnswerAsync(context.Response, StatusCodes.Status400BadRequest, "The body must be {\"data\":{key: string value}}.").ConfigureAwait(false);
                return;
            }

            batch = data.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            await AnswerAsync(context.Response, StatusCodes.Status400BadRequest, "The body is not JSON.").ConfigureAwait(false);
            return;
        }

        lock (_users)
        {
            Dictionary<string, string> values = _users.GetOrAdd(userId, static _ => new Dictionary<string, string>(StringComparer.Ordinal));
            var after = new Dictionary<string, string>(values, StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> entry in batch)
            {
                after[entry.Key] = entry.Value;
            }

            if (after.Sum(e => Encoding.UTF8.GetByteCount(e.Key) + Encoding.UTF8.GetByteCount(e.Value)) > _options.StorageLimitBytes)
            {
                batch = null!;
            }
            else
            {
                foreach (KeyValuePair<string, string> entry in batch)
                {
                    values[entry.Key] = entry.Value;
                }
            }
        }

        await (batch is null
            ? AnswerAsync(context.Response, StatusCodes.Status413PayloadTooLarge, "Storage limit exceeded: at most " + _options.StorageLimitBytes + " bytes per user.")
            : AnswerAsync(context.Response, StatusCodes.Status200OK, null)).ConfigureAwait(false);
    }

    private bool Allowed(string userId)
    {
        Queue<DateTimeOffset> calls = _calls.GetOrAdd(userId, static _ => new Queue<DateTimeOffset>());
        lock (calls)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            while (calls.Count > 0 && now - calls.Peek() > TimeSpan.FromMinutes(1))
            {
                calls.Dequeue();
            }

            if (calls.Count >= _options.StorageCallsPerMinute)
            {
                return false;
            }

            calls.Enqueue(now);
            return true;
        }
    }

    private static Task AnswerAsync(HttpResponse response, int status, string? error)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        return response.WriteAsync(JsonSerializer.Serialize(new StorageResponse { Success = error is null, Error = error }, AppSessionJsonContext.Default.StorageResponse));
    }

    private static JsonElement Json(IReadOnlyDictionary<string, string> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (KeyValuePair<string, string> entry in values)
            {
                writer.WriteString(entry.Key, entry.Value);
            }

            writer.WriteEndObject();
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
