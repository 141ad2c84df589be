/// Parses durations as written in the configuration and in directives:
/// `500ms`, `30s`, `5m`, `1h`, `2d`, or a sum such as `1h30m`. `0` means none.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return .zero }
        guard let match = trimmed.wholeMatch(of: /(?:\d+(?:ms|s|m|h|d))+/) else { return nil }
        var total = Duration.zero
        for part in match.output.matches(of: /(\d+)(ms|s|m|h|d)/) {
            guard let value = Int64(part.output.1) else { return nil }
            switch part.output.2 {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            default: total += .seconds(value * 86_400)
            }
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
