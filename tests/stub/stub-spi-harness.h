/* stub-spi-harness.h: forced into protocol/stub/family/stub-spi.c when test-stub-spi builds
 * it for the host: every register access goes through the test's model of the controllers
 * and the flash (test-stub-spi.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>

volatile uint32_t *stub_spi_test_reg (uint32_t addr);

#define REG(addr) (*stub_spi_test_reg (addr))
