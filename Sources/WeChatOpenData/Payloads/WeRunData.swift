/// The payload of `wx.getWeRunData`: the user's daily step counts for the last 30 days.
public struct WeRunData: Sendable, Hashable, Codable, CustomStringConvertible {
    /// One day's step count.
    public struct StepInfo: Sendable, Hashable, Codable {
        /// The start of the day, in seconds since 1970 (midnight, China Standard Time).
        public let timestamp: Int64
        /// The steps walked that day.
        public let step: Int

        /// Creates a day's entry.
        public init(timestamp: Int64, step: Int) {
            self.timestamp = timestamp
            self.step = step
        }
    }

    /// The days, oldest first as WeChat sends them.
    public let stepInfoList: [StepInfo]
    /// The verified watermark.
    public let watermark: Watermark

    /// Creates a WeRun payload, for fixtures and test doubles.
    public init(stepInfoList: [StepInfo], watermark: Watermark) {
        self.stepInfoList = stepInfoList
        self.watermark = watermark
    }

    /// `WeRunData(30 days)`.
    public var description: String { "WeRunData(\(stepInfoList.count) days)" }
}

extension WeRunData: OpenDataModel {
    static let recognisingKeys: [StaticString] = ["stepInfoList"]

    static func parse(_ root: JSONValue, watermark: Watermark) throws(OpenDataError) -> WeRunData {
        guard let list = root.member("stepInfoList") else { throw .invalidPayload(field: "stepInfoList", "is missing") }
        guard list.kind == .array else { throw .invalidPayload(field: "stepInfoList", "must be an array, got \(list.kindName)") }
        var days: [StepInfo] = []
        var index = 0
        try list.forEachElement { (element) throws(OpenDataError) in
            let path = "stepInfoList[\(index)]"
            guard element.kind == .object else { throw .invalidPayload(field: path, "must be an object, got \(element.kindName)") }
            let fields = element.members(["timestamp", "step"])
            days.append(
                StepInfo(
                    timestamp: try PayloadField.int64(fields[0], field: path + ".timestamp"),
                    step: try PayloadField.int(fields[1], field: path + ".step")
                )
            )
            index += 1
        }
        return WeRunData(stepInfoList: days, watermark: watermark)
    }

    func write<Output: JSONOutput & ~Copyable>(to writer: inout Output) {
        writer.beginObject()
        writer.beginArray("stepInfoList")
        for day in stepInfoList {
            writer.beginObject()
            writer.member("timestamp", day.timestamp)
            writer.member("step", Int64(day.step))
            writer.endObject()
        }
        writer.endArray()
        watermark.write(to: &writer)
        writer.endObject()
    }

    static let csvColumns = ["stepDays"]
    func forEachCSVCell(_ body: (String) -> Void) { body(String(stepInfoList.count)) }
}
