package dev.vfiosim.server.control;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The registries of one process: Prometheus text for the control socket's {@code metrics} and,
 * when asked, JMX. Every device a process serves records into these ({@link DeviceMetrics}, tagged
 * by device), so a scrape is one well-formed exposition — one {@code # TYPE} line per family, not
 * one per device.
 */
public final class ProcessMetrics implements AutoCloseable {
    /** The MBeans' domain: {@code vfio-sim:name=vfioSimCommand.command.REGION_READ,type=timers} and so on. */
    private static final JmxConfig JMX_DOMAIN = new JmxConfig() {
        @Override
        public String get(String key) {
            return null;
        }

        @Override
        public String domain() {
            return "vfio-sim";
        }
    };

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JmxMeterRegistry jmx;
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

    /** @param withJmx also register every meter as an MBean (jconsole, VisualVM) */
    public ProcessMetrics(boolean withJmx) {
        registry.add(prometheus);
        jmx = withJmx ? new JmxMeterRegistry(JMX_DOMAIN, Clock.SYSTEM) : null;
        if (jmx != null) {
            registry.add(jmx);
        }
    }

    MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return prometheus.scrape();
    }

    @Override
    public void close() {
        registry.close();
        prometheus.close();
        if (jmx != null) {
            jmx.close();
        }
    }
}
