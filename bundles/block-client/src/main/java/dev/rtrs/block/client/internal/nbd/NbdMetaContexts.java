package dev.rtrs.block.client.internal.nbd;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The data of NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT, and which of the gateway's metadata
 * contexts a query names. There is one context, {@value Nbd#ALLOCATION_CONTEXT}; queries of other namespaces are
 * ignored, as the spec asks.
 */
final class NbdMetaContexts {

    /** The namespace query that lists every context in it; it selects nothing. */
    private static final String BASE_NAMESPACE = "base:";

    private NbdMetaContexts() {}

    /**
     * An option's data.
     *
     * @param export  the export name the contexts are for
     * @param queries the query strings, in order
     */
    record Request(String export, List<String> queries) {}

    /** The option data does not parse; the reason goes back in NBD_REP_ERR_INVALID. */
    static final class InvalidRequest extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses the option data: a 32-bit export name length and the name, a 32-bit query count, then each query as
     * a 32-bit length and the string. Every string must be UTF-8 and the data must end with the last query.
     */
    static Request parse(ByteBuffer data) throws InvalidRequest {
        ByteBuffer b = data.duplicate();
        String export = string(b, "export name");
        if (b.remaining() < 4) {
            throw new InvalidRequest("no query count");
        }
        long count = Integer.toUnsignedLong(b.getInt());
        // each query takes 4 bytes at least: a count beyond that cannot be right, and would allocate freely
        if (count > b.remaining() / 4) {
            throw new InvalidRequest(count + " queries in " + b.remaining() + " bytes");
        }
        List<String> queries = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            queries.add(string(b, "query"));
        }
        if (b.hasRemaining()) {
            throw new InvalidRequest(b.remaining() + " bytes after the last query");
        }
        return new Request(export, queries);
    }

    /** NBD_OPT_LIST_META_CONTEXT: base:allocation is listed for no query, for "base:" and for its own name. */
    static boolean listsAllocation(List<String> queries) {
        return queries.isEmpty()
                || queries.stream().anyMatch(q -> q.equals(BASE_NAMESPACE) || q.equals(Nbd.ALLOCATION_CONTEXT));
    }

    /** NBD_OPT_SET_META_CONTEXT: base:allocation is selected by its name only ("base:" selects nothing). */
    static boolean selectsAllocation(List<String> queries) {
        return queries.contains(Nbd.ALLOCATION_CONTEXT);
    }

    private static String string(ByteBuffer b, String what) throws InvalidRequest {
        if (b.remaining() < 4) {
            throw new InvalidRequest("no " + what + " length");
        }
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new InvalidRequest(what + " of " + Integer.toUnsignedString(length) + " bytes in " + b.remaining());
        }
        ByteBuffer bytes = b.slice(b.position(), length);
        b.position(b.position() + length);
        try {
            return utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new InvalidRequest(what + " is not UTF-8");
        }
    }

    /** Decodes strictly: malformed UTF-8 is an error, not a replacement character. */
    static String utf8(ByteBuffer bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes)
                .toString();
    }
}
