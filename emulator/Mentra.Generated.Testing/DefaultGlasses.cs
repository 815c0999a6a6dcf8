using System;
using Mentra.Generated.Protocol;

namespace Mentra.Generated.Emulator;

/// <summary>The glasses the emulator describes unless told otherwise: an Even Realities G1 on a phone with WiFi.</summary>
public static class DefaultGlasses
{
    /// <summary>The photo the emulated camera takes: an 8 x 8 pixel blue PNG.</summary>
    public static byte[] Photo => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mOQm/AfK2IYWhIAr+9rQTwL7bcAAAAASUVORK5CYII=");

    /// <summary>What the emulator's text to speech answers: a tenth of a second of silence, as a WAV file (8 kHz, 8-bit, mono).</summary>
    public static byte[] Silence
    {
        get
        {
            const int samples = 800;
            byte[] wav = new byte[44 + samples];
            void Text(int at, string value) => System.Text.Encoding.ASCII.GetBytes(value, wav.AsSpan(at));
            void Int(int at, int value) => System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(at), value);
            void Short(int at, short value) => System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(wav.AsSpan(at), value);
            Text(0, "RIFF"); Int(4, 36 + samples); Text(8, "WAVE"); Text(12, "fmt "); Int(16, 16); Short(20, 1); Short(22, 1);
            Int(24, 8000); Int(28, 8000); Short(32, 1); Short(34, 8); Text(36, "data"); Int(40, samples);
            wav.AsSpan(44).Fill(128); // 8-bit PCM's silence is the middle value
            return wav;
        }
    }

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
