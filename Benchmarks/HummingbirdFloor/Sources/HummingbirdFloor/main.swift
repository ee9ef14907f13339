import Foundation
import Hummingbird

// HummingbirdFloor PORT: serves `POST /` on 127.0.0.1:PORT with a fixed 200-byte JSON
// answer until killed. tools/bench keyholder replays its signed KMS requests against it to
// measure the most a Hummingbird 2 server on this machine answers a second.

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 1, let text = arguments.first, let port = Int(text), (1...65535).contains(port) else {
    FileHandle.standardError.write(Data("usage: HummingbirdFloor PORT (1-65535)\n".utf8))
    exit(2)
}
try await buildApplication(port: port).runService()
