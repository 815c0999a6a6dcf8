using System;
using System.Collections.Concurrent;

namespace Mentra.Generated.Sessions;

/// <summary>A photo the glasses took for <see cref="AppSession.TakePhotoAsync"/>, as they uploaded it.</summary>
public sealed class Photo
{
    internal Photo(string requestId, byte[] data, string mimeType, string fileName)
    {
        RequestId = requestId;
        Data = data;
        MimeType = mimeType;
        FileName = fileName;
    }

    /// <summary>The photo request's id.</summary>
    public string RequestId { get; }

    /// <summary>The image file's bytes, as uploaded (usually JPEG).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The upload's content type, for example <c>image/jpeg</c>.</summary>
    public string MimeType { get; }

    /// <summary>The upload's file name.</summary>
    public string FileName { get; }
}

/// <summary>The glasses could not take or upload a photo: their error report, with its code.</summary>
public sealed class PhotoException : Exception
{
    /// <summary>Creates the exception for the photo request <paramref name="requestId"/>.</summary>
    public PhotoException(string requestId, string? code, string? message)
        : base($"The photo '{requestId}' failed: {code ?? "UNKNOWN_ERROR"}{(string.IsNullOrEmpty(message) ? string.Empty : " (" + message + ")")}.")
    {
        RequestId = requestId;
        Code = code;
    }

    /// <summary>The photo request's id.</summary>
    public string RequestId { get; }

    /// <summary>The error code the glasses or the cloud sent (a <c>PhotoErrorCode</c>, for example <c>CAMERA_BUSY</c>), if any.</summary>
    public string? Code { get; }
}

/// <summary>
/// The photos this server waits for: each request made by <see cref="AppSession.TakePhotoAsync"/>, by its id, until
/// the glasses' upload to <c>/photo-upload</c> (or their error report) completes it. Shared by every session of a server,
/// because an upload names only the request. Ids are random, so an upload cannot guess one that is waited for.
/// </summary>
internal sealed class PhotoUploads
{
    private readonly ConcurrentDictionary<string, AppSession> _waiting = new(StringComparer.Ordinal);

    /// <summary>Told of each photo waited for, so that an upload that lands on another replica is sent here.</summary>
    public Coordination.SessionCoordinator? Coordinator { get; set; }

    public void Wait(string requestId, AppSession session)
    {
        _waiting[requestId] = session;
        Coordinator?.AwaitPhoto(requestId);
    }

    public void Forget(string requestId)
    {
        if (_waiting.TryRemove(requestId, out _))
        {
            Coordinator?.ForgetPhoto(requestId);
        }
    }

    public bool IsWaitedFor(string requestId) => _waiting.ContainsKey(requestId);

    /// <summary>Completes the request with its photo; false when nobody waits for it (any more).</summary>
    public bool Complete(Photo photo) => Take(photo.RequestId) is { } session && session.Answer(photo.RequestId, photo);

    /// <summary>Fails the request with the glasses' error; false when nobody waits for it.</summary>
    public bool Fail(PhotoException error) => Take(error.RequestId) is { } session && session.Fail(error.RequestId, error);

    private AppSession? Take(string requestId)
    {
        if (!_waiting.TryRemove(requestId, out AppSession? session))
        {
            return null;
        }

        Coordinator?.ForgetPhoto(requestId);
        return session;
    }
}
