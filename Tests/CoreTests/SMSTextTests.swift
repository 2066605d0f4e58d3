import CampaignCore
import Foundation
import Testing

@Suite struct SMSTextTests {
    @Test func plainGSMTextIsOneSeptetPerCharacter() {
        let analysis = SMSText.analyse("Hello @home: 5£ off, à bientôt?")
        // 'ô' is not in GSM 03.38.
        #expect(analysis.encoding == .ucs2)
        let gsm = SMSText.analyse("Hello @home: 5£ off, à bientot? Ñ§¿Δ_")
        #expect(gsm.encoding == .gsm7)
        #expect(gsm.characters == 37)
        #expect(gsm.septetsOrUnits == 37)
        #expect(gsm.segments == 1)
        #expect(SMSText.encode("@£$A", as: .gsm7) == [0x00, 0x01, 0x02, 0x41])
        #expect(SMSEncoding.gsm7.dataCoding == 0x00)
        #expect(SMSEncoding.ucs2.dataCoding == 0x08)
    }

    @Test func extensionCharactersCountTwoSeptetsAndEncodeAsEscapes() {
        let analysis = SMSText.analyse("€[]{}")
        #expect(analysis.encoding == .gsm7)
        #expect(analysis.characters == 5)
        #expect(analysis.septetsOrUnits == 10)
        #expect(SMSText.encode("€[", as: .gsm7) == [0x1B, 0x65, 0x1B, 0x3C])
        #expect(SMSText.decode([0x1B, 0x65, 0x41, 0x1B, 0x29], as: .gsm7) == "€A}")
    }

    @Test func decomposedAccentsStillCountAsGSM() {
        #expect(SMSText.analyse("e\u{301}te\u{301}").encoding == .gsm7)
    }

    @Test func gsmBoundaryAt160Septets() {
        #expect(SMSText.analyse(String(repeating: "a", count: 160)).segments == 1)
        let long = SMSText.analyse(String(repeating: "a", count: 161))
        #expect(long.segments == 2)
        #expect(SMSText.analyse(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.analyse(String(repeating: "a", count: 307)).segments == 3)
        // 80 extension characters = 160 septets, one SMS; one more is two.
        #expect(SMSText.analyse(String(repeating: "€", count: 80)).segments == 1)
        #expect(SMSText.analyse(String(repeating: "€", count: 80) + "a").segments == 2)
    }

    @Test func ucs2BoundaryAt70Units() {
        let seventy = String(repeating: "ж", count: 70)
        let analysis = SMSText.analyse(seventy)
        #expect(analysis.encoding == .ucs2)
        #expect(analysis.septetsOrUnits == 70)
        #expect(analysis.segments == 1)
        #expect(SMSText.analyse(seventy + "ж").segments == 2)
        #expect(SMSText.analyse(String(repeating: "ж", count: 134)).segments == 2)
        #expect(SMSText.analyse(String(repeating: "ж", count: 135)).segments == 3)
        #expect(SMSText.encode("Aж", as: .ucs2) == [0x00, 0x41, 0x04, 0x36])
    }

    @Test func emojiTakeTwoUTF16Units() {
        let analysis = SMSText.analyse("Hi 👋")
        #expect(analysis.encoding == .ucs2)
        #expect(analysis.characters == 4)
        #expect(analysis.septetsOrUnits == 5)
        #expect(SMSText.encode("👋", as: .ucs2) == [0xD8, 0x3D, 0xDC, 0x4B])
        #expect(SMSText.analyse(String(repeating: "👋", count: 35)).segments == 1)
        #expect(SMSText.analyse(String(repeating: "👋", count: 36)).segments == 2)
    }

    @Test func splitNeverCutsAnEscapeSequence() {
        // 152 septets then '€': the escape would straddle parts 1 and 2.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 20)
        let parts = SMSText.split(text)
        #expect(parts.count == 2)
        #expect(parts[0].length == 152)
        #expect(parts[0].bytes.last != 0x1B)
        #expect(parts[1].bytes.prefix(2) == [0x1B, 0x65])
        #expect(parts.allSatisfy { $0.length <= 153 })
        #expect(parts.map(\.text).joined() == text)
        #expect(parts.map { SMSText.decode($0.bytes, as: .gsm7) }.joined() == text)
    }

    @Test func splitNeverCutsASurrogatePair() {
        // 66 units then an emoji: the pair would straddle parts 1 and 2.
        let text = String(repeating: "ж", count: 66) + "😀" + String(repeating: "ж", count: 10)
        let parts = SMSText.split(text)
        #expect(parts.count == 2)
        #expect(parts[0].length == 66)
        #expect(parts[1].bytes.prefix(2) == [0xD8, 0x3D])
        #expect(parts.allSatisfy { $0.length <= 67 && $0.bytes.count == $0.length * 2 })
        #expect(parts.map { SMSText.decode($0.bytes, as: .ucs2) }.joined() == text)
        // Every part decodes on its own: no lone surrogate.
        #expect(parts.allSatisfy { !SMSText.decode($0.bytes, as: .ucs2).contains("\u{FFFD}") })
    }

    @Test func segmentsCountFollowsTheRealSplit() {
        // 306 septets would be 2 parts of 153, but a part ends at 152 rather
        // than cut a '€' escape, so it takes 3.
        let text = String(repeating: "€", count: 153)
        let analysis = SMSText.analyse(text)
        #expect(analysis.septetsOrUnits == 306)
        #expect(analysis.segments == SMSText.split(text).count)
        #expect(analysis.segments == 3)
    }

    @Test func emptyTextIsOneSegment() {
        let analysis = SMSText.analyse("")
        #expect(analysis == SMSAnalysis(encoding: .gsm7, characters: 0, septetsOrUnits: 0, segments: 1))
    }
}
