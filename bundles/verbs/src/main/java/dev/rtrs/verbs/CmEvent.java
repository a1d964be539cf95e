package dev.rtrs.verbs;

import java.util.Arrays;

/**
 * One connection-manager event.
 *
 * @param type        what happened
 * @param id          the id the event is about; for CONNECT_REQUEST the new connection's id (the event is
 *                    delivered in order with that id's later events, so requests for different new ids may be
 *                    handled concurrently)
 * @param listenId    for CONNECT_REQUEST the listening id, otherwise {@code null}
 * @param status      0, or a positive errno explaining an error event
 * @param privateData the peer's private data (CONNECT_REQUEST, ESTABLISHED on the active side, REJECTED);
 *                    empty otherwise
 */
public record CmEvent(CmEventType type, CmId id, CmId listenId, int status, byte[] privateData) {

    private static final byte[] NONE = new byte[0];

    public CmEvent {
        privateData = privateData == null ? NONE : privateData.clone();
    }

    public static CmEvent of(CmEventType type, CmId id) {
        return new CmEvent(type, id, null, 0, NONE);
    }

    @Override
    public byte[] privateData() {
        return privateData.clone();
    }

    @Override
    public String toString() {
        return "CmEvent[" + type + ", status=" + status + ", privateData=" + privateData.length + " bytes]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CmEvent e
                && e.type == type
                && e.id == id
                && e.listenId == listenId
                && e.status == status
                && Arrays.equals(e.privateData, privateData);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + status;
    }
}
