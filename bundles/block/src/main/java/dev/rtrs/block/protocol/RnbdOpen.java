package dev.rtrs.block.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * OPEN, client to server: map an export (264 bytes). The server prefixes its device search path to the name and
 * refuses names that escape it; the codec only guarantees a well-formed name.
 *
 * @param accessMode how the client uses the device
 * @param deviceName the export's name: 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8 without NUL, so that it is
 *                   NUL-terminated within the 255-byte field
 */
public record RnbdOpen(AccessMode accessMode, String deviceName) implements RnbdMessage {

    public static final int SIZE = 264;
    /** Size of the NUL-padded {@code dev_name} field (NAME_MAX). */
    public static final int NAME_FIELD_SIZE = 255;
    /** Longest name in bytes: the field must keep room for the terminating NUL. */
    public static final int MAX_NAME_BYTES = NAME_FIELD_SIZE - 1;

    public RnbdOpen {
        Objects.requireNonNull(accessMode, "accessMode");
        int bytes = utf8(deviceName).remaining();
        if (bytes == 0 || bytes > MAX_NAME_BYTES || deviceName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("device name must be 1 to " + MAX_NAME_BYTES
                    + " bytes of UTF-8 without NUL, got " + bytes + " bytes");
        }
    }

    @Override
    public RnbdMessageType type() {
        return RnbdMessageType.OPEN;
    }

    @Override
    public int wireSize() {
        return SIZE;
    }

    /** The name as UTF-8 bytes (strict: an unpaired surrogate is refused rather than replaced). */
    static ByteBuffer utf8(String name) {
        try {
            return StandardCharsets.UTF_8
                    .newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(Objects.requireNonNull(name, "deviceName")));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("device name is not valid Unicode", e);
        }
    }
}
