package dev.rtrs.verbs.disni.internal;

import com.ibm.disni.verbs.RdmaCmEvent;
import dev.rtrs.errno.Errno;
import dev.rtrs.verbs.CmEventType;

/** RDMA CM event numbers, as DiSNI reports them, onto the API's event types and their errno. */
final class CmEventMapping {

    private static final CmEventType[] TYPE = new CmEventType[RdmaCmEvent.EventType.values().length];

    static {
        for (RdmaCmEvent.EventType e : RdmaCmEvent.EventType.values()) {
            TYPE[e.ordinal()] = switch (e) {
                case RDMA_CM_EVENT_ADDR_RESOLVED -> CmEventType.ADDR_RESOLVED;
                case RDMA_CM_EVENT_ADDR_ERROR -> CmEventType.ADDR_ERROR;
                case RDMA_CM_EVENT_ROUTE_RESOLVED -> CmEventType.ROUTE_RESOLVED;
                case RDMA_CM_EVENT_ROUTE_ERROR -> CmEventType.ROUTE_ERROR;
                case RDMA_CM_EVENT_CONNECT_REQUEST -> CmEventType.CONNECT_REQUEST;
                case RDMA_CM_EVENT_CONNECT_ERROR -> CmEventType.CONNECT_ERROR;
                case RDMA_CM_EVENT_UNREACHABLE -> CmEventType.UNREACHABLE;
                case RDMA_CM_EVENT_REJECTED -> CmEventType.REJECTED;
                case RDMA_CM_EVENT_ESTABLISHED -> CmEventType.ESTABLISHED;
                case RDMA_CM_EVENT_DISCONNECTED -> CmEventType.DISCONNECTED;
                case RDMA_CM_EVENT_DEVICE_REMOVAL -> CmEventType.DEVICE_REMOVAL;
                // CONNECT_RESPONSE only reaches ids without a queue pair, which this API never connects;
                // multicast is not used; ADDR_CHANGE is a hint; TIMEWAIT_EXIT follows DISCONNECTED
                case RDMA_CM_EVENT_CONNECT_RESPONSE,
                        RDMA_CM_EVENT_MULTICAST_JOIN,
                        RDMA_CM_EVENT_MULTICAST_ERROR,
                        RDMA_CM_EVENT_ADDR_CHANGE,
                        RDMA_CM_EVENT_TIMEWAIT_EXIT -> null;
            };
        }
    }

    private CmEventMapping() {}

    /** The event type for DiSNI's event number, or null for events the API does not deliver. */
    static CmEventType type(int event) {
        return event >= 0 && event < TYPE.length ? TYPE[event] : null;
    }

    /**
     * The errno an event carries. DiSNI 2.1 does not pass RDMA CM's status up, so error events carry the errno
     * RDMA CM reports for them on Linux.
     */
    static int status(CmEventType type) {
        return switch (type) {
            case ADDR_ERROR -> Errno.EHOSTUNREACH;
            case ROUTE_ERROR -> Errno.ENETUNREACH;
            case CONNECT_ERROR -> Errno.ECONNABORTED;
            case UNREACHABLE -> Errno.ETIMEDOUT;
            case REJECTED -> Errno.ECONNREFUSED;
            case DEVICE_REMOVAL -> Errno.ENODEV;
            default -> 0;
        };
    }
}
