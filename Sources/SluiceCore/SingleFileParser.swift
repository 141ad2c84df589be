/// Splits a dbmate or goose file into its up and down sections.
enum SingleFileParser {
    struct Parsed {
        var layout: Layout
        var up: Section
        var down: Section?
    }

    private enum Marker {
        case up(noTransaction: Bool)
        case down(noTransaction: Bool)
        case gooseNoTransaction
        case other
    }

    static func parse(_ text: String, file: String, problems: inout [FolderProblem]) -> Parsed? {
        let lines = SQLText.lines(text)
        var layout: Layout?
        var upStart: Int?, downStart: Int?
        var upNoTx = false, downNoTx = false, fileNoTx = false
        var markerLines: [Int] = []

        for (index, line) in lines.enumerated() {
            guard let (markerLayout, marker) = classify(line) else { continue }
            if let layout, layout != markerLayout {
                problems.append(.init(file: file, message: "\(file):\(index + 1): mixes dbmate and goose markers", hint: "use either `-- migrate:up/down` or `-- +goose Up/Down` in one file"))
                return nil
            }
            layout = markerLayout
            switch marker {
            case .up(let noTx):
                if upStart != nil { problems.append(dup(file, index, "up")); return nil }
                upStart = index + 1; upNoTx = noTx; markerLines.append(index)
            case .down(let noTx):
                if downStart != nil { problems.append(dup(file, index, "down")); return nil }
                downStart = index + 1; downNoTx = noTx; markerLines.append(index)
            case .gooseNoTransaction: fileNoTx = true
            case .other: break
            }
        }
        guard let layout, let upStart else {
            problems.append(.init(
                file: file, message: "has no up section, so it matches no layout",
                hint: "start the up SQL with `-- migrate:up` (dbmate) or `-- +goose Up` (goose), or rename it to NNNN_title.up.sql"))
            return nil
        }
        func section(from start: Int) -> Section {
            let end = markerLines.filter { $0 >= start }.min() ?? lines.count
            let sql = lines[start..<end].joined(separator: "\n")
            return Section(file: file, sql: sql, lineOffset: start)
        }
        var up = section(from: upStart)
        DirectiveParser.parse(up.sql, file: file, lineOffset: up.lineOffset, into: &up.directives, problems: &problems)
        if upNoTx || fileNoTx { up.directives.noTransaction = true }
        var down: Section?
        if let downStart {
            var d = section(from: downStart)
            DirectiveParser.parse(d.sql, file: file, lineOffset: d.lineOffset, into: &d.directives, problems: &problems)
            if downNoTx || fileNoTx { d.directives.noTransaction = true }
            down = d
        }
        return Parsed(layout: layout, up: up, down: down)
    }

    private static func dup(_ file: String, _ index: Int, _ what: String) -> FolderProblem {
        .init(file: file, message: "\(file):\(index + 1): a second \(what) marker", hint: "keep one up and one down section per file")
    }

    private static func classify(_ line: Substring) -> (Layout, Marker)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("--"), trimmed.contains("migrate:") || trimmed.contains("+goose") else { return nil }
        if let m = trimmed.wholeMatch(of: /--\s*migrate:(up|down)(.*)/.ignoresCase()) {
            let noTx = m.2.lowercased().contains("transaction:false")
            return (.dbmate, m.1.lowercased() == "up" ? .up(noTransaction: noTx) : .down(noTransaction: noTx))
        }
        if let m = trimmed.wholeMatch(of: /--\s*\+goose\s+(.+?)\s*/.ignoresCase()) {
            switch m.1.lowercased() {
            case "up": return (.goose, .up(noTransaction: false))
            case "down": return (.goose, .down(noTransaction: false))
            case "no transaction": return (.goose, .gooseNoTransaction)
            default: return (.goose, .other)
            }
        }
        return nil
    }
}

import Foundation
