using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentra.Generated.Protocol;
using Xunit;

namespace Mentra.Generated.Tests.Protocol;

/// <summary>
/// Every JSON example of sections 4 and 5 of the app-session protocol document (placeholders filled in with values of
/// their documented shape) reads into the record of its type and writes back as the same JSON; reading what was written
/// gives an equal record. What the schema does not model (extra fields) is dropped on writing, and so is an optional
/// property sent as null, except those the schema writes as null (capabilities and its parts).
/// </summary>
public sealed class ProtocolExamplesTests
{
    private const string S = "alice@example.com-com.example.myapp";
    private const string T = "2025-11-30T06:10:00.000Z";

    internal static string Fill(string json) => json.Replace("\"S\"", "\"" + S + "\"").Replace("\"T\"", "\"" + T + "\"").Replace("\"P\"", "\"com.example.myapp\"");

    private const string G1Capabilities = """
        {"modelName":"Even Realities G1","hasCamera":false,"camera":null,"hasDisplay":true,
         "display":{"count":2,"isColor":false,"color":"green","canDisplayBitmap":true,"resolution":{"width":640,"height":200},"fieldOfView":{"horizontal":25},"maxTextLines":5,"adjustBrightness":true},
         "hasMicrophone":true,"microphone":{"count":1,"hasVAD":false},"hasSpeaker":false,"speaker":null,
         "hasIMU":true,"imu":{"axisCount":6,"hasAccelerometer":true,"hasCompass":false,"hasGyroscope":true},
         "hasButton":false,"button":null,"hasLight":false,"light":null,"power":{"hasExternalBattery":true},"hasWifi":false}
        """;

    public static TheoryData<string, string> CloudExamples() => new()
    {
        { "tpa_connection_ack, older cloud (augmentosSettings)", """{"type":"tpa_connection_ack","sessionId":"S","settings":[{"key":"line_width","label":"Line width","type":"slider","min":10,"max":60,"defaultValue":30,"value":38}],"augmentosSettings":{"useOnboardMic":false,"contextualDashboard":true,"headUpAngle":20,"brightness":50,"autoBrightness":false,"sensingEnabled":true,"alwaysOnStatusBar":false,"bypassVad":false,"bypassAudioEncoding":false,"metricSystemEnabled":false},"capabilities":CAPS,"timestamp":"T"}""".Replace("CAPS", G1Capabilities) },
        { "tpa_connection_ack, newer cloud (mentraosSettings, subscriptions, userId)", """{"type":"tpa_connection_ack","sessionId":"S","settings":[{"key":"show_interim","label":"Show interim text","type":"toggle","defaultValue":true,"value":false},{"key":"mode","type":"select","options":[{"label":"Captions","value":"captions"},{"label":"Notes","value":{"n":1}}],"value":"captions"}],"mentraosSettings":{"metricSystemEnabled":false,"contextualDashboard":true,"headUpAngle":45,"brightness":50,"autoBrightness":true,"sensingEnabled":true,"alwaysOnStatusBar":false,"bypassVad":false,"bypassAudioEncoding":false,"preferredMic":"auto","useOnboardMic":false,"userTimezone":"America/New_York"},"capabilities":null,"subscriptions":["transcription:en-US",{"stream":"location_stream","rate":"high"}],"userId":"alice@example.com","timestamp":"T"}""" },
        { "tpa_connection_error", """{"type":"tpa_connection_error","code":"INVALID_API_KEY","message":"Invalid API key","timestamp":"T"}""" },
        { "connection_error (legacy)", """{"type":"connection_error","code":"APP_NOT_STARTED","message":"App not started for this session","timestamp":"T"}""" },
        { "data_stream transcription", """{"type":"data_stream","sessionId":"S","streamType":"transcription:en-US","data":{"type":"transcription","text":"hello world","isFinal":true,"utteranceId":"u-42","transcribeLanguage":"en-US","detectedLanguage":"en","startTime":1200,"endTime":2300,"speakerId":"1","provider":"soniox","confidence":0.97},"timestamp":"T"}""" },
        { "data_stream transcription with options and metadata", """{"type":"data_stream","sessionId":"S","streamType":"transcription:en-US?hints=ja,es","data":{"type":"transcription","text":"hola","isFinal":false,"startTime":0,"endTime":400,"metadata":{"provider":"soniox","soniox":{"tokens":[{"text":"hola","startMs":0,"endMs":400,"confidence":0.9,"isFinal":false,"speaker":"1"}]}}},"timestamp":"T"}""" },
        { "data_stream translation", """{"type":"data_stream","sessionId":"S","streamType":"translation:es-ES-to-en-US","data":{"type":"translation","text":"good morning","originalText":"buenos días","isFinal":true,"startTime":10,"endTime":900,"transcribeLanguage":"es-ES","translateLanguage":"en-US","didTranslate":true},"timestamp":"T"}""" },
        { "data_stream button_press", """{"type":"data_stream","sessionId":"S","streamType":"button_press","data":{"type":"button_press","buttonId":"main","pressType":"short","timestamp":"T"},"timestamp":"T"}""" },
        { "data_stream head_position", """{"type":"data_stream","sessionId":"S","streamType":"head_position","data":{"type":"head_position","position":"up","timestamp":"T"},"timestamp":"T"}""" },
        { "data_stream touch_event with a gesture", """{"type":"data_stream","sessionId":"S","streamType":"touch_event:double_tap","data":{"type":"touch_event","device_model":"Mentra Live","gesture_name":"double_tap","timestamp":"T"},"timestamp":"T"}""" },
        { "data_stream VAD", """{"type":"data_stream","sessionId":"S","streamType":"VAD","data":{"type":"VAD","status":true},"timestamp":"T"}""" },
        { "data_stream glasses_battery_update", """{"type":"data_stream","sessionId":"S","streamType":"glasses_battery_update","data":{"level":80,"charging":false,"timeRemaining":5400},"timestamp":"T"}""" },
        { "data_stream phone_battery_update", """{"type":"data_stream","sessionId":"S","streamType":"phone_battery_update","data":{"level":55,"charging":true},"timestamp":"T"}""" },
        { "data_stream glasses_connection_state", """{"type":"data_stream","sessionId":"S","streamType":"glasses_connection_state","data":{"modelName":"Mentra Live","status":"CONNECTED","wifi":{"connected":true,"ssid":"home"}},"timestamp":"T"}""" },
        { "data_stream location_update (poll answer)", """{"type":"data_stream","sessionId":"S","streamType":"location_update","data":{"type":"location_update","lat":40.7128,"lng":-74.006,"accuracy":12.5,"correlationId":"poll_1732950000000_x1y2z3a","timestamp":"T"},"timestamp":"T"}""" },
        { "data_stream calendar_event", """{"type":"data_stream","sessionId":"S","streamType":"calendar_event","data":{"eventId":"e1","title":"Standup","dtStart":"2025-11-30T09:00:00Z","dtEnd":"2025-11-30T09:15:00Z","timezone":"UTC","timeStamp":"T"},"timestamp":"T"}""" },
        { "data_stream phone_notification", """{"type":"data_stream","sessionId":"S","streamType":"phone_notification","data":{"notificationId":"n1","app":"Messages","title":"Bob","content":"Lunch?","priority":"high"},"timestamp":"T"}""" },
        { "data_stream phone_notification_dismissed", """{"type":"data_stream","sessionId":"S","streamType":"phone_notification_dismissed","data":{"notificationId":"n1","app":"Messages","title":"Bob","content":"Lunch?","notificationKey":"0|com.messages|1"},"timestamp":"T"}""" },
        { "data_stream vps_coordinates", """{"type":"data_stream","sessionId":"S","streamType":"vps_coordinates","data":{"deviceModel":"Mentra Live","requestId":"vps1","x":1.5,"y":0,"z":-2.25,"qx":0,"qy":0.7071,"qz":0,"qw":0.7071,"confidence":0.8},"timestamp":"T"}""" },
        { "data_stream photo_taken", """{"type":"data_stream","sessionId":"S","streamType":"photo_taken","data":{"photoData":"aGVsbG8=","mimeType":"image/jpeg","timestamp":"T"},"timestamp":"T"}""" },
        { "data_stream of a stream this version does not know", """{"type":"data_stream","sessionId":"S","streamType":"heart_rate","data":{"bpm":71,"nested":[1,{"a":null}]},"timestamp":"T"}""" },
        { "device_state_update, full snapshot", """{"type":"device_state_update","state":{"connected":true,"modelName":"Mentra Live","wifiConnected":true,"wifiSsid":"home","wifiLocalIp":"192.168.1.5","batteryLevel":80,"charging":false,"caseBatteryLevel":90,"caseCharging":false,"caseOpen":false,"caseRemoved":true,"hotspotEnabled":false,"hotspotSsid":null},"fullSnapshot":true,"timestamp":"T"}""" },
        { "device_state_update, partial", """{"type":"device_state_update","state":{"batteryLevel":79},"timestamp":"T"}""" },
        { "capabilities_update", """{"type":"capabilities_update","capabilities":CAPS,"modelName":"Even Realities G1","timestamp":"T"}""".Replace("CAPS", G1Capabilities) },
        { "capabilities_update to no glasses", """{"type":"capabilities_update","capabilities":null,"modelName":null,"timestamp":"T"}""" },
        { "settings_update", """{"type":"settings_update","packageName":"P","sessionId":"S","settings":[{"key":"line_width","value":42,"label":"Line width","type":"slider","min":10,"max":60}],"timestamp":"T"}""" },
        { "augmentos_settings_update", """{"type":"augmentos_settings_update","sessionId":"S","settings":{"metricSystemEnabled":true,"brightness":60},"timestamp":"T"}""" },
        { "app_stopped", """{"type":"app_stopped","timestamp":"T"}""" },
        { "dashboard_mode_changed", """{"type":"dashboard_mode_changed","mode":"main","timestamp":"T","sessionId":"S"}""" },
        { "dashboard_always_on_changed", """{"type":"dashboard_always_on_changed","enabled":true,"timestamp":"T"}""" },
        { "audio_play_response", """{"type":"audio_play_response","sessionId":"S","requestId":"audio_req_1732950000000_k3j2h1g","success":true,"duration":2350,"timestamp":"T"}""" },
        { "rtmp_stream_status", """{"type":"rtmp_stream_status","streamId":"st1","status":"streaming","errorDetails":"none","appId":"P","stats":{"bitrate":2000000,"fps":30,"droppedFrames":0,"duration":12},"timestamp":"T"}""" },
        { "managed_stream_status", """{"type":"managed_stream_status","status":"active","hlsUrl":"https://cdn/x.m3u8","dashUrl":"https://cdn/x.mpd","webrtcUrl":"https://cdn/rtc","previewUrl":"https://cdn/p","thumbnailUrl":"https://cdn/t.jpg","message":"live","streamId":"m1","outputs":[{"url":"rtmp://a.rtmp.youtube.com/live2/KEY","name":"YouTube","status":"active"}]}""" },
        { "stream_status_check_response", """{"type":"stream_status_check_response","hasActiveStream":true,"streamInfo":{"type":"managed","streamId":"m1","status":"active","createdAt":"T","hlsUrl":"https://cdn/x.m3u8","dashUrl":"https://cdn/x.mpd","activeViewers":3,"requestingAppId":"P"}}""" },
        { "permission_error", """{"type":"permission_error","message":"Some subscriptions were rejected","details":[{"stream":"transcription:en-US","requiredPermission":"MICROPHONE","message":"Microphone permission required"}],"timestamp":"T"}""" },
        { "custom_message", """{"type":"custom_message","action":"update_datetime","payload":{"datetime":"2025-11-30T08:10:00","section":"topLeft"},"timestamp":"T"}""" },
        { "photo_response", """{"type":"photo_response","requestId":"photo_req_1","success":false,"error":{"code":"CAMERA_BUSY","message":"Camera busy"},"timestamp":"T"}""" },
        { "rgb_led_control_response", """{"type":"rgb_led_control_response","requestId":"led_req_1","success":true,"timestamp":"T"}""" },
        { "pong (newer clouds)", """{"type":"pong"}""" },
        { "audio_stream_ready (newer clouds)", """{"type":"audio_stream_ready","streamId":"3f2b8c1e-8d4a-4c7e-9b1a-2f6d5e4c3b2a","streamUrl":"https://cloud.example/api/audio-stream/3f2b8c1e-8d4a-4c7e-9b1a-2f6d5e4c3b2a","timestamp":"T"}""" },
    };

    public static TheoryData<string, string> AppExamples() => new()
    {
        { "tpa_connection_init", """{"type":"tpa_connection_init","sessionId":"alice@example.com-com.example.myapp","packageName":"com.example.myapp","apiKey":"<your api key>","timestamp":"2025-11-30T06:10:00.000Z"}""" },
        { "subscription_update", """{"type":"subscription_update","packageName":"P","subscriptions":["transcription:en-US","button_press","head_position",{"stream":"location_stream","rate":"high"}],"sessionId":"S","timestamp":"T"}""" },
        { "display_event text_wall", """{"timestamp":"T","sessionId":"","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"text_wall","text":"Hello AR"},"durationMs":5000}""" },
        { "display_event reference_card", """{"timestamp":"T","sessionId":"","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"reference_card","title":"Meeting","text":"Standup in 5 min"}}""" },
        { "display_event dashboard_card", """{"timestamp":"T","sessionId":"","type":"display_event","packageName":"P","view":"dashboard","layout":{"layoutType":"dashboard_card","leftText":"Weather","rightText":"72°F"}}""" },
        { "display_event clear_view", """{"timestamp":"T","sessionId":"","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"clear_view"}}""" },
        { "display_event double_text_wall", """{"timestamp":"T","sessionId":"S","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"double_text_wall","topText":"Top","bottomText":"Bottom"}}""" },
        { "display_event bitmap_view", """{"timestamp":"T","sessionId":"S","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"bitmap_view","data":"Qk0eAAAAAAAAABoAAAAMAAAAAQABAAEAGAAAAP8A"}}""" },
        { "display_event bitmap_animation", """{"timestamp":"T","sessionId":"S","type":"display_event","packageName":"P","view":"main","layout":{"layoutType":"bitmap_animation","frames":["Qk0e","Qk0f"],"interval":1650,"repeat":true}}""" },
        { "dashboard_content_update", """{"type":"dashboard_content_update","packageName":"P","sessionId":"S-com.example.myapp","content":"3 new tasks","modes":["main"],"timestamp":"T"}""" },
        { "dashboard_system_update", """{"type":"dashboard_system_update","packageName":"system.augmentos.dashboard","sessionId":"S","section":"topLeft","content":"9:41","timestamp":"T"}""" },
        { "dashboard_mode_change", """{"type":"dashboard_mode_change","packageName":"system.augmentos.dashboard","sessionId":"S","mode":"expanded","timestamp":"T"}""" },
        { "audio_play_request", """{"type":"audio_play_request","packageName":"P","sessionId":"S","requestId":"audio_req_1732950000000_k3j2h1g","timestamp":"T","audioUrl":"https://example.com/sound.mp3","volume":1,"stopOtherAudio":true,"trackId":0}""" },
        { "audio_stop_request", """{"type":"audio_stop_request","packageName":"P","sessionId":"S","trackId":2,"timestamp":"T"}""" },
        { "photo_request", """{"type":"photo_request","packageName":"P","sessionId":"S","requestId":"photo_req_1732950000000_ab12cd3","timestamp":"T","saveToGallery":false,"size":"medium","compress":"none"}""" },
        { "photo_request with sound (newer clouds)", """{"type":"photo_request","packageName":"P","sessionId":"S","requestId":"photo_req_1","saveToGallery":true,"sound":false,"timestamp":"T"}""" },
        { "ping (newer SDKs)", """{"type":"ping"}""" },
        { "audio_stream_start (newer SDKs)", """{"type":"audio_stream_start","packageName":"P","sessionId":"S","streamId":"3f2b8c1e-8d4a-4c7e-9b1a-2f6d5e4c3b2a","contentType":"audio/mpeg","timestamp":"T"}""" },
        { "audio_stream_end (newer SDKs)", """{"type":"audio_stream_end","packageName":"P","sessionId":"S","streamId":"3f2b8c1e-8d4a-4c7e-9b1a-2f6d5e4c3b2a","timestamp":"T"}""" },
        { "rgb_led_control on", """{"type":"rgb_led_control","packageName":"P","sessionId":"S","requestId":"led_req_1","timestamp":"T","action":"on","color":"red","ontime":1000,"offtime":0,"count":1}""" },
        { "rgb_led_control off", """{"type":"rgb_led_control","packageName":"P","sessionId":"S","requestId":"led_req_2","timestamp":"T","action":"off"}""" },
        { "rtmp_stream_request", """{"type":"rtmp_stream_request","packageName":"P","sessionId":"S","rtmpUrl":"rtmp://live.example.com/app/key","video":{"width":1280,"height":720,"bitrate":2000000,"frameRate":30},"audio":{"bitrate":128000,"sampleRate":44100,"echoCancellation":true,"noiseSuppression":true},"stream":{"durationLimit":600},"timestamp":"T"}""" },
        { "rtmp_stream_stop", """{"type":"rtmp_stream_stop","packageName":"P","sessionId":"S","streamId":"st1","timestamp":"T"}""" },
        { "managed_stream_request", """{"type":"managed_stream_request","packageName":"P","quality":"720p","enableWebRTC":true,"restreamDestinations":[{"url":"rtmp://a.rtmp.youtube.com/live2/KEY","name":"YouTube"}],"timestamp":"T"}""" },
        { "managed_stream_request with sound (newer clouds)", """{"type":"managed_stream_request","packageName":"P","quality":"1080p","sound":true,"timestamp":"T"}""" },
        { "managed_stream_stop", """{"type":"managed_stream_stop","packageName":"P","timestamp":"T"}""" },
        { "stream_status_check", """{"type":"stream_status_check","packageName":"P","sessionId":"S","timestamp":"T"}""" },
        { "location_poll_request", """{"type":"location_poll_request","correlationId":"poll_1732950000000_x1y2z3a","packageName":"P","sessionId":"S","accuracy":"high","timestamp":"T"}""" },
        { "request_wifi_setup", """{"type":"request_wifi_setup","packageName":"P","sessionId":"S","reason":"Needed for streaming","timestamp":"T"}""" },
        { "ownership_release", """{"type":"ownership_release","packageName":"P","sessionId":"S","reason":"switching_clouds","timestamp":"T"}""" },
    };

    [Theory]
    [MemberData(nameof(CloudExamples))]
    public void Cloud_to_app_example_round_trips(string name, string example)
    {
        string json = Fill(example);
        CloudMessage message = JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.CloudMessage)!;
        Assert.False(message is UnknownCloudMessage, name + " was not recognised");
        string written = JsonSerializer.Serialize(message, AppSessionJsonContext.Default.CloudMessage);
        AssertSameJson(json, written);
        CloudMessage again = JsonSerializer.Deserialize(written, AppSessionJsonContext.Default.CloudMessage)!;
        Assert.Equal(message, again);
    }

    [Theory]
    [MemberData(nameof(AppExamples))]
    public void App_to_cloud_example_round_trips(string name, string example)
    {
        string json = Fill(example);
        AppMessage message = JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.AppMessage)!;
        Assert.False(message is UnknownAppMessage, name + " was not recognised");
        string written = JsonSerializer.Serialize(message, AppSessionJsonContext.Default.AppMessage);
        AssertSameJson(json, written);
        AppMessage again = JsonSerializer.Deserialize(written, AppSessionJsonContext.Default.AppMessage)!;
        Assert.Equal(message, again);
    }

    [Fact]
    public void Older_and_newer_ack_settings_both_read()
    {
        var older = Read<ConnectionAck>("""{"type":"tpa_connection_ack","sessionId":"S","augmentosSettings":{"metricSystemEnabled":true},"capabilities":null}""");
        var newer = Read<ConnectionAck>("""{"type":"tpa_connection_ack","sessionId":"S","mentraosSettings":{"metricSystemEnabled":false,"userTimezone":"Europe/Paris"}}""");

        Assert.True(older.AugmentosSettings!.MetricSystemEnabled);
        Assert.Null(older.MentraosSettings);
        Assert.Null(older.Capabilities);
        Assert.Equal("Europe/Paris", newer.MentraosSettings!.UserTimezone);
        Assert.Null(newer.AugmentosSettings);
    }

    [Fact]
    public void Stream_data_is_typed_by_stream_type_with_prefixes()
    {
        Assert.IsType<TranscriptionData>(Read<DataStream>(DataOf("transcription:en-US", """{"text":"a","isFinal":true}""")).Data);
        Assert.IsType<TranscriptionData>(Read<DataStream>(DataOf("transcription:auto?no-language-identification=true", """{"text":"a","isFinal":true}""")).Data);
        Assert.IsType<TranscriptionData>(Read<DataStream>(DataOf("transcription", """{"text":"a","isFinal":true}""")).Data);
        Assert.IsType<TranslationData>(Read<DataStream>(DataOf("translation:all-to-en-US", """{"text":"a","isFinal":true}""")).Data);
        Assert.IsType<TouchEvent>(Read<DataStream>(DataOf("touch_event", """{"gesture_name":"single_tap"}""")).Data);
        Assert.IsType<BatteryUpdate>(Read<DataStream>(DataOf("phone_battery_update", """{"level":1,"charging":true}""")).Data);

        // A prefix needs its separator: "transcriptions" is another stream, kept as JSON.
        var unknown = Assert.IsType<UnknownStreamData>(Read<DataStream>(DataOf("transcriptions", """{"text":"a"}""")).Data);
        Assert.Equal("a", unknown.Json.GetProperty("text").GetString());
    }

    [Fact]
    public void Stream_data_before_its_stream_type_is_read_once_the_type_is_known()
    {
        var message = Read<DataStream>("""{"type":"data_stream","data":{"type":"button_press","buttonId":"main","pressType":"long"},"streamType":"button_press"}""");

        var press = Assert.IsType<ButtonPress>(message.Data);
        Assert.Equal(PressType.Long, press.PressType);
        Assert.Equal("main", press.ButtonId);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("\"true\"", true)]
    [InlineData("\"false\"", false)]
    public void Voice_activity_status_is_a_boolean_or_its_string(string status, bool expected)
    {
        var message = Read<DataStream>(DataOf("VAD", "{\"type\":\"VAD\",\"status\":" + status + "}"));

        Assert.Equal(expected, Assert.IsType<VoiceActivity>(message.Data).Status);
        Assert.Contains("\"status\":" + (expected ? "true" : "false"), JsonSerializer.Serialize<CloudMessage>(message, AppSessionJsonContext.Default.CloudMessage));
    }

    [Theory]
    [InlineData("\"maybe\"", "The property 'status' must be true or false (or the strings \"true\" or \"false\"), but it is the string \"maybe\".")]
    [InlineData("1", "The property 'status' must be true or false, but it is a number.")]
    public void Voice_activity_status_of_another_value_is_an_error(string status, string message)
    {
        var error = Assert.Throws<JsonException>(() => Read<DataStream>(DataOf("VAD", "{\"status\":" + status + "}")));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Unknown_message_type_is_kept_with_its_json()
    {
        var message = Assert.IsType<UnknownCloudMessage>(JsonSerializer.Deserialize("""{"type":"request_telemetry","timestamp":1732950000000,"extra":[1]}""", AppSessionJsonContext.Default.CloudMessage));

        Assert.Equal("request_telemetry", message.Type);
        Assert.Equal(1732950000000, message.Json.GetProperty("timestamp").GetInt64());
    }

    [Fact]
    public void Extra_fields_are_ignored()
    {
        var press = Assert.IsType<ButtonPress>(Read<DataStream>(DataOf("button_press", """{"buttonId":"main","pressType":"short","extra":{"deep":[1,2]},"glassesModel":"G1"}""")).Data);
        Assert.Equal("main", press.ButtonId);
    }

    [Fact]
    public void Constant_type_is_written_though_not_set()
    {
        var message = new DataStream { StreamType = "button_press", Data = new ButtonPress { ButtonId = "main", PressType = PressType.Short } };

        string json = JsonSerializer.Serialize<CloudMessage>(message, AppSessionJsonContext.Default.CloudMessage);

        AssertSameJson("""{"type":"data_stream","streamType":"button_press","data":{"type":"button_press","buttonId":"main","pressType":"short"}}""", json);
    }

    [Fact]
    public void Capabilities_null_is_written_as_null_and_unset_optional_fields_are_left_out()
    {
        string json = JsonSerializer.Serialize<CloudMessage>(new ConnectionAck { SessionId = S }, AppSessionJsonContext.Default.CloudMessage);

        AssertSameJson("""{"type":"tpa_connection_ack","sessionId":"alice@example.com-com.example.myapp","capabilities":null}""", json);
    }

    [Fact]
    public void Subscriptions_are_strings_or_the_location_object()
    {
        var update = new SubscriptionUpdate
        {
            PackageName = "P",
            SessionId = S,
            Subscriptions = ["transcription:en-US", new LocationStreamSubscription { Stream = "location_stream", Rate = LocationAccuracy.High }],
        };

        string json = JsonSerializer.Serialize<AppMessage>(update, AppSessionJsonContext.Default.AppMessage);

        AssertSameJson("""{"type":"subscription_update","packageName":"P","subscriptions":["transcription:en-US",{"stream":"location_stream","rate":"high"}],"sessionId":"alice@example.com-com.example.myapp"}""", json);
        var read = Assert.IsType<SubscriptionUpdate>(JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.AppMessage));
        Assert.Equal("transcription:en-US", read.Subscriptions[0].Stream);
        Assert.Null(read.Subscriptions[0].Location);
        Assert.Equal(LocationAccuracy.High, read.Subscriptions[1].Location!.Rate);
        Assert.Equal(update, read);
    }

    [Theory]
    [InlineData("""{"type":"subscription_update","packageName":"P","subscriptions":[1]}""", "The property 'subscriptions' must be a string or an object, but it is a number.")]
    [InlineData("""{"type":"display_event","packageName":"P","view":"main"}""", "The required property 'layout' is missing from the display_event.")]
    [InlineData("""{"type":"tpa_connection_init","sessionId":"S","packageName":7,"apiKey":"k"}""", "The property 'packageName' must be a string, but it is a number.")]
    public void Bad_messages_are_clear_errors(string json, string message)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, AppSessionJsonContext.Default.AppMessage));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Any_json_values_compare_deeply()
    {
        var first = Read<CustomMessage>("""{"type":"custom_message","action":"a","payload":{"x":1,"y":[true,null]}}""");
        var second = Read<CustomMessage>("""{"type":"custom_message","payload":{"y":[true,null],"x":1},"action":"a"}""");
        var third = Read<CustomMessage>("""{"type":"custom_message","action":"a","payload":{"x":2,"y":[true,null]}}""");

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, third);
    }

    private static string DataOf(string streamType, string data) =>
        "{\"type\":\"data_stream\",\"sessionId\":\"" + S + "\",\"streamType\":\"" + streamType + "\",\"data\":" + data + "}";

    private static TMessage Read<TMessage>(string json) where TMessage : CloudMessage =>
        Assert.IsType<TMessage>(JsonSerializer.Deserialize(Fill(json), AppSessionJsonContext.Default.CloudMessage));

    /// <summary>The same JSON, ignoring property order and optional properties sent as null that are not written back.</summary>
    private static void AssertSameJson(string expected, string actual)
    {
        JsonNode? left = JsonNode.Parse(expected);
        JsonNode? right = JsonNode.Parse(actual);
        DropNullsNotWritten(left, right);
        Assert.True(JsonNode.DeepEquals(left, right), $"Expected {left!.ToJsonString()}\nbut got  {actual}");
    }

    private static void DropNullsNotWritten(JsonNode? expected, JsonNode? actual)
    {
        if (expected is JsonObject expectedObject)
        {
            foreach (string key in expectedObject.Select(p => p.Key).ToList())
            {
                if (expectedObject[key] is null && !(actual is JsonObject a && a.ContainsKey(key)))
                {
                    expectedObject.Remove(key);
                }
                else
                {
                    DropNullsNotWritten(expectedObject[key], (actual as JsonObject)?[key]);
                }
            }
        }
        else if (expected is JsonArray expectedArray && actual is JsonArray actualArray)
        {
            for (int i = 0; i < expectedArray.Count && i < actualArray.Count; i++)
            {
                DropNullsNotWritten(expectedArray[i], actualArray[i]);
            }
        }
    }
}
