import SluiceCore
import Testing

@Suite("DurationParser")
struct DurationParserTests {
    @Test("durations as the config and directives write them", arguments: [
        ("30s", Duration.seconds(30)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3600)),
        ("2d", .seconds(172_800)),
        ("1h30m", .seconds(5400)),
        ("1m30s", .seconds(90)),
        ("500ms", .milliseconds(500)),
        ("1s500ms", .milliseconds(1500)),
        ("0", .zero),
        ("0s", .zero),
        ("0ms", .zero),
        ("24h", .seconds(86_400)),
        (" 10s ", .seconds(10)),
        ("10S", .seconds(10)),
        ("90m", .seconds(5400)),
        ("\u{A0}5s\t", .seconds(5)),
    ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test("anything else is nil", arguments: [
        "5", "5x", "", " ", "s", "ms", "-5s", "1.5s", "5 s", "5sec", "five", "1h 30m", "h1", "5s5", "0x", "99999999999999999999s", "9999999999999999d", "1h2",
    ])
    func rejects(_ text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test("whole milliseconds", arguments: [
        (Duration.seconds(5), Int64(5000)),
        (.milliseconds(1500), 1500),
        (.zero, 0),
        (.seconds(86_400), 86_400_000),
        (.microseconds(2500), 2),
        (.seconds(600), 600_000),
    ])
    func milliseconds(_ duration: Duration, _ expected: Int64) {
        #expect(DurationParser.milliseconds(duration) == expected)
    }

    @Test("short readable form", arguments: [
        (Duration.zero, "0s"),
        (.seconds(5), "5s"),
        (.seconds(120), "2m"),
        (.seconds(600), "10m"),
        (.seconds(3600), "1h"),
        (.seconds(86_400), "24h"),
        (.seconds(5400), "90m"),
        (.seconds(90), "90s"),
        (.milliseconds(250), "250ms"),
    ])
    func format(_ duration: Duration, _ expected: String) {
        #expect(DurationParser.format(duration) == expected)
    }

    @Test("what format writes, parse reads back", arguments: [
        Duration.zero, .milliseconds(1), .milliseconds(1500), .seconds(5), .seconds(61), .seconds(3660), .seconds(86_400), .seconds(7 * 86_400),
    ])
    func roundTrip(_ duration: Duration) {
        let text = DurationParser.format(duration)
        #expect(DurationParser.parse(text) == duration, "\(text)")
    }
}
