/**
 * ProfileService for Java: session-locked player profiles for JVM game servers.
 * {@code dev.profileservice} is the API; {@code dev.profileservice.spi} is for backend authors;
 * everything under {@code dev.profileservice.internal} is not exported and may change at any time.
 */
module dev.profileservice {
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.slf4j;

    exports dev.profileservice;
    exports dev.profileservice.spi;

    uses dev.profileservice.spi.BackendProvider;

    provides dev.profileservice.spi.BackendProvider with
            dev.profileservice.internal.memory.MemoryBackendProvider;
}
