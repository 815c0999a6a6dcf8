using System;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Emulator;

/// <summary>The glasses the emulator describes unless told otherwise: an Even Realities G1 on a phone with WiFi.</summary>
public static class DefaultGlasses
{
    /// <summary>The photo the emulated camera takes: an 8 x 8 pixel blue PNG.</summary>
    public static byte[] Photo => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mOQm/AfK2IYWhIAr+9rQTwL7bcAAAAASUVORK5CYII=");

    /// <summary>What a G1 can do, as the cloud describes it in the ack.</summary>
    public static Capabilities Capabilities { get; } = new()
    {
        ModelName = "Even Realities G1",
        HasCamera = false,
        HasDisplay = true,
        Display = new DisplayCapabilities { Count = 2, IsColor = false, Color = "green", CanDisplayBitmap = true, Resolution = new Resolution { Width = 640, Height = 200 }, MaxTextLines = 5, AdjustBrightness = true },
        HasMicrophone = true,
        Microphone = new MicrophoneCapabilities { Count = 1, HasVAD = false },
        HasSpeaker = false,
        HasIMU = true,
        Imu = new ImuCapabilities { AxisCount = 6, HasAccelerometer = true, HasCompass = false, HasGyroscope = true },
        HasButton = false,
        HasLight = false,
        Power = new PowerCapabilities { HasExternalBattery = true },
        HasWifi = false,
    };

    /// <summary>The user's system settings in the ack.</summary>
    public static SystemSettings SystemSettings { get; } = new()
    {
        MetricSystemEnabled = true,
        ContextualDashboard = true,
        HeadUpAngle = 45,
        Brightness = 50,
        AutoBrightness = true,
        SensingEnabled = true,
        AlwaysOnStatusBar = false,
        BypassVad = false,
        BypassAudioEncoding = false,
        PreferredMic = "auto",
        UseOnboardMic = false,
        UserTimezone = "Europe/Paris",
    };

    /// <summary>The full device snapshot sent right after the ack.</summary>
    public static DeviceState State { get; } = new()
    {
        Connected = true,
        ModelName = "Even Realities G1",
        WifiConnected = false,
        BatteryLevel = 80,
        Charging = false,
        CaseBatteryLevel = 90,
        CaseCharging = false,
        CaseOpen = false,
        CaseRemoved = true,
        HotspotEnabled = false,
    };
}
