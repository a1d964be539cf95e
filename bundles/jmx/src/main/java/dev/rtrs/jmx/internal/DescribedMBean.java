package dev.rtrs.jmx.internal;

import java.util.List;
import java.util.Map;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.StandardMBean;

/**
 * An MXBean with the descriptions and parameter names a JMX console shows (jconsole shows {@code p0}, {@code p1} and
 * the method's name otherwise).
 */
final class DescribedMBean extends StandardMBean {

    private final String description;
    private final Map<String, String> descriptions;
    private final Map<String, List<String>> parameters;

    /**
     * @param descriptions by attribute or operation name
     * @param parameters   the parameter names of each operation that has parameters
     */
    <T> DescribedMBean(
            T implementation,
            Class<T> mxbeanInterface,
            String description,
            Map<String, String> descriptions,
            Map<String, List<String>> parameters) {
        super(implementation, mxbeanInterface, true);
        this.description = description;
        this.descriptions = descriptions;
        this.parameters = parameters;
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return description;
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return descriptions.getOrDefault(info.getName(), info.getName());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return descriptions.getOrDefault(info.getName(), info.getName());
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        List<String> names = parameters.get(op.getName());
        return names != null && sequence < names.size() ? names.get(sequence) : param.getName();
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return getParameterName(op, param, sequence);
    }
}
