/**
 * The JDBC stores of ProfileService for Java: SQLite, PostgreSQL and MariaDB/MySQL, found by
 * their URIs through {@link dev.profileservice.spi.BackendProvider}. {@code dev.profileservice.jdbc}
 * is the API (backends on a user's own pool); {@code dev.profileservice.jdbc.internal} is not
 * exported and may change at any time.
 */
module dev.profileservice.jdbc {
    requires transitive dev.profileservice;
    requires transitive java.sql; // JdbcBackends takes a javax.sql.DataSource
    requires com.zaxxer.hikari;
    requires org.mariadb.jdbc;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires org.xerial.sqlitejdbc;

    exports dev.profileservice.jdbc;

    provides dev.profileservice.spi.BackendProvider with
            dev.profileservice.jdbc.internal.JdbcBackendProvider;
}
