# Build a static binary, then ship it alone on distroless (no shell, no
# package manager, runs as an unprivileged user).
FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so editing the source does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /incidentbot ./cmd/incidentbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /incidentbot /incidentbot
EXPOSE 8080
ENTRYPOINT ["/incidentbot"]
CMD ["serve"]
