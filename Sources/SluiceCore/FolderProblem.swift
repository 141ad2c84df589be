/// One thing wrong with a migrations folder, naming the file and what to do.
public struct FolderProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var hint: String

    public init(file: String, message: String, hint: String) {
        self.file = file
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(message) — \(hint)" }
}

extension SluiceError {
    /// The exit-2 error for a folder with problems, one detail line each.
    public static func badFolder(_ problems: [FolderProblem]) -> SluiceError {
        let first = problems[0]
        if problems.count == 1 {
            return SluiceError(.badInput, first.message.hasPrefix(first.file) ? first.message : "\(first.file): \(first.message)", hint: first.hint, file: first.file)
        }
        return SluiceError(
            .badInput, "the migrations folder has \(problems.count) problems:",
            hint: "fix the files named above, then run the command again",
            file: first.file,
            details: problems.map { p in (p.message.hasPrefix(p.file) ? p.message : "\(p.file): \(p.message)") + " (\(p.hint))" })
    }
}
