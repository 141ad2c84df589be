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

    public var description: String { "\(located) — \(hint)" }

    /// `file: message`, or `file is …` when the message reads on from the file name.
    public var located: String {
        if file.isEmpty || message.hasPrefix(file) { return message }
        let continues = ["is ", "does ", "has ", "matches "].contains { message.hasPrefix($0) }
        return continues ? "\(file) \(message)" : "\(file): \(message)"
    }
}

extension SluiceError {
    /// The exit-2 error for a folder with problems, one detail line each.
    public static func badFolder(_ problems: [FolderProblem]) -> SluiceError {
        let first = problems[0]
        if problems.count == 1 {
            return SluiceError(.badInput, first.located, hint: first.hint, file: first.file)
        }
        return SluiceError(
            .badInput, "the migrations folder has \(problems.count) problems:",
            hint: "fix the files named above, then run the command again",
            file: first.file,
            details: problems.map { "\($0.located) (\($0.hint))" })
    }
}
