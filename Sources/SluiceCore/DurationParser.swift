/// Parses durations as written in the configuration and in directives:
/// `500ms`, `30s`, `5m`, `1h`, `2d`, or a sum such as `1h30m`. `0` means none.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        // Read by hand so that every product is overflow-checked: `9999999999999999d` is not a
        // duration (nil), where a pattern and plain arithmetic would trap.
        let bytes = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        let end = bytes.count
        if bytes == [UInt8(ascii: "0")] { return .zero }
        guard end > 0 else { return nil }
        var total = Duration.zero
        var i = 0
        while i < end {
            var value: Int64 = 0
            let digitsStart = i
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }
                value = sum
                i += 1
            }
            guard i > digitsStart, i < end else { return nil }
            let unit = bytes[i] | 0x20  // ASCII lower case
            let perUnit: Int64  // milliseconds
            if unit == UInt8(ascii: "m"), i + 1 < end, bytes[i + 1] | 0x20 == UInt8(ascii: "s") {
                perUnit = 1
                i += 2
            } else {
                switch unit {
                case UInt8(ascii: "s"): perUnit = 1000
                case UInt8(ascii: "m"): perUnit = 60_000
                case UInt8(ascii: "h"): perUnit = 3_600_000
                case UInt8(ascii: "d"): perUnit = 86_400_000
                default: return nil
                }
                i += 1
            }
            let (ms, overflow) = value.multipliedReportingOverflow(by: perUnit)
            guard !overflow else { return nil }
            total += .milliseconds(ms)
        }
        return total
    }

    /// Whole milliseconds, as PostgreSQL's timeout settings take them.
    public static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// `120s` → `2m`, `1500ms` → `1500ms`: the shortest form `parse` reads back.
    public static func format(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms == 0 { return "0s" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

import Foundation
