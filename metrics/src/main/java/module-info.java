/**
 * Micrometer meters for ProfileService for Java: {@link dev.profileservice.micrometer.ProfileServiceMetrics}
 * records what a service does in a {@code MeterRegistry}. A module of its own, so that the core
 * does not depend on Micrometer.
 */
@SuppressWarnings("requires-transitive-automatic") // micrometer-core is an automatic module (micrometer.core)
module dev.profileservice.micrometer {
    requires transitive dev.profileservice;
    requires transitive micrometer.core; // the constructor takes a MeterRegistry

    exports dev.profileservice.micrometer;
}
