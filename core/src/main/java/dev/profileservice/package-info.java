/**
 * ProfileService for Java: session-locked player profiles for JVM game servers, with the API of
 * <a href="https://madstudioroblox.github.io/ProfileService/api/">ProfileService</a>, the Roblox
 * library. Where the documentation here says "ProfileService's X", it names X in that API
 * ({@code LoadProfileAsync} is {@link dev.profileservice.ProfileStore#loadProfile}, {@code Profile.Data}
 * is {@link dev.profileservice.Profile#getData()}, and so on).
 *
 * <p>Start with {@link dev.profileservice.ProfileService#builder()}: one service per game-server
 * process, then {@link dev.profileservice.ProfileService#getProfileStore} for each kind of profile.
 * The store behind it is chosen by URI; writing one of your own starts at
 * {@link dev.profileservice.spi.Backend}.
 */
package dev.profileservice;
