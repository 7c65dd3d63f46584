import Benchmark
import CBaseline
import Foundation
import WeChatOpenData

/// Records sealed once, decrypted many times; each iteration takes the next record so that
/// caches see a realistic mix of keys.
struct Records {
    struct Record {
        let sessionKey: String
        let iv: String
        let encryptedData: String
    }

    static let appID = "wx4f4bc4dec97d474b"
    static let watermark = Watermark(appID: appID, timestamp: 1_637_744_274)

    let records: [Record]

    init(count: Int, payload: (Int) -> OpenDataPayload) {
        records = (0..<count).map { index in
            let key = SessionKey.random()
            let sealed = try! OpenDataEncryptor.encrypt(payload(index), sessionKey: key)
            return Record(sessionKey: key.base64EncodedString(), iv: sealed.iv, encryptedData: sealed.encryptedData)
        }
    }

    static func phoneNumber(_ index: Int) -> String { String(13_580_000_000 + index) }

    static let phones = Records(count: 1024) { index in
        let number = phoneNumber(index)
        return .phoneNumber(PhoneNumber(phoneNumber: number, purePhoneNumber: number, countryCode: "86", watermark: watermark))
    }

    static let users = Records(count: 1024) { index in
        .userInfo(UserInfo(
            openID: "oGZUI0egBJY1zhBYw2KhdUfw\(index)", nickName: "小明🐼\(index)", gender: .male, language: "zh_CN",
            city: "Guangzhou", province: "Guangdong", country: "CN",
            avatarURL: "https://thirdwx.qlogo.cn/mmopen/vi_32/aSKcBBPpibyKNicHNTMM0qJVh8Kjgiak2AHWr8MHM4WgMEm7/132",
            unionID: "ocMvos6NjeKLIBqg5Mr9QjxrP1FA", watermark: watermark))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions],
        warmupIterations: 1_000,
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )
    let decryptor = try! OpenDataDecryptor(appID: Records.appID)

    let lines = RecordLines(Records.phones)
    let baseline = CBaselineBench(Records.phones, lines: lines)
    Benchmark(
        "C baseline: phone record from base64 bytes (EVP, table base64, memmem)",
        closure: { benchmark in
            for iteration in benchmark.scaledIterations {
                blackHole(baseline.decryptPhone(iteration % baseline.count))
            }
        },
        setup: { try baseline.verify(expected: Records.phoneNumber) }
    )
    Benchmark(
        "C baseline: record line to result line (memmem fields, EVP, table base64)",
        closure: { benchmark in
            var offset = 0
            for iteration in benchmark.scaledIterations {
                offset = baseline.decryptLine(iteration % baseline.count, at: offset)
            }
            blackHole(offset)
        },
        setup: { try baseline.verify(expected: Records.phoneNumber) }
    )

    let batch = try! BatchLines(lines)
    Benchmark(
        "Batch: record line to JSON result line",
        closure: { benchmark in
            var worker = batch.makeWarmWorker()
            var output: [UInt8] = []
            output.reserveCapacity(RecordLines.resultBufferSize)
            benchmark.startMeasurement()
            for iteration in benchmark.scaledIterations {
                batch.decryptLine(iteration % lines.count, with: &worker, into: &output)
            }
            blackHole(output)
        },
        setup: { try batch.verify(expected: Records.phoneNumber) }
    )

    decryptBenchmark("PhoneNumber: base64 strings to verified model", PhoneNumber.self, Records.phones, decryptor)
    decryptBenchmark("UserInfo: base64 strings to verified model", UserInfo.self, Records.users, decryptor)

    Benchmark("Raw: verified JSON bytes") { benchmark in
        let records = Records.phones.records
        for iteration in benchmark.scaledIterations {
            let record = records[iteration % records.count]
            let key = try SessionKey(base64: record.sessionKey)
            blackHole(try decryptor.decryptJSON(encryptedData: record.encryptedData, iv: record.iv, sessionKey: key))
        }
    }

    Benchmark("Signature: sha1(rawData + session_key) verification") { benchmark in
        let key = SessionKey.random()
        let rawData = #"{"nickName":"Band","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"http://wx.qlogo.cn/mmopen/vi_32/1/0"}"#
        let signature = UserInfoSignature.signature(rawData: rawData, sessionKey: key)
        for _ in benchmark.scaledIterations {
            blackHole(UserInfoSignature.isValid(signature: signature, rawData: rawData, sessionKey: key))
        }
    }

    Benchmark("Base64: decode encryptedData alone") { benchmark in
        let records = Records.phones.records
        for iteration in benchmark.scaledIterations {
            blackHole(try Base64Inspection.inspect(encryptedData: records[iteration % records.count].encryptedData))
        }
    }
}

/// Decrypts the records into `model`, from base64 strings (the session key included) to a verified model.
func decryptBenchmark<Model: Decodable>(
    _ name: String, _ model: Model.Type, _ records: Records, _ decryptor: OpenDataDecryptor
) {
    Benchmark(name) { benchmark in
        for iteration in benchmark.scaledIterations {
            let record = records.records[iteration % records.records.count]
            let key = try SessionKey(base64: record.sessionKey)
            blackHole(try decryptor.decrypt(model, encryptedData: record.encryptedData, iv: record.iv, sessionKey: key))
        }
    }
}
