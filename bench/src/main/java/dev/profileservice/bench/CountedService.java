package dev.profileservice.bench;

import dev.profileservice.ProfileService;

/**
 * A service of the library under measurement and the counting decorator of its freshly opened
 * backend, through which a measurement reads store calls, round trips and saves (and plays dead).
 * Closing it closes the service, which releases its profiles with a final save.
 */
record CountedService(ProfileService service, CountingBackend backend) implements AutoCloseable {

    @Override
    public void close() {
        service.close();
    }
}
