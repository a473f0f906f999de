/* The C ABI of the IO layer, for generated code and C hosts. Every call
 * returns an atl_io_result: on success error == 0 and value holds the
 * result (a descriptor, a byte count); on failure error is an errno value
 * (atl_io_strerror gives its text) and value is -1. Nothing throws across
 * this boundary. Blocking calls suspend the calling fiber (or thread)
 * through whatever scheduler runs it; timeout_ms < 0 means no deadline. */
#ifndef ATOLL_IO_ABI_H
#define ATOLL_IO_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct atl_io_result {
  int64_t value;
  int32_t error;
  int32_t reserved;
} atl_io_result;

/* ip is a numeric IPv4 or IPv6 literal; port 0 picks a free port. */
atl_io_result atl_tcp_listen(const char* ip, uint16_t port, int32_t backlog);
atl_io_result atl_tcp_accept(int64_t listener, int64_t timeout_ms);
atl_io_result atl_tcp_connect(const char* ip, uint16_t port, int64_t timeout_ms);
atl_io_result atl_tcp_read(int64_t fd, void* buf, size_t n, int64_t timeout_ms);
atl_io_result atl_tcp_write_all(int64_t fd, const void* buf, size_t n, int64_t timeout_ms);
atl_io_result atl_tcp_shutdown(int64_t fd);
atl_io_result atl_tcp_local_port(int64_t fd);
atl_io_result atl_io_close(int64_t fd);
int64_t atl_clock_monotonic_ns(void);
int64_t atl_clock_wall_ns(void);
/* strerror text for an errno value returned by this API or runtime/sched/atl_loop.h. */
const char* atl_io_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif
