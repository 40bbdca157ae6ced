"""The allocator setting that keeps a long-running window's memory flat."""

import platform

import pytest

from smtdesk.heap import keep_large_blocks_mapped


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt's mmap threshold is glibc's")
def test_glibc_takes_the_fixed_mmap_threshold():
    assert keep_large_blocks_mapped() is True
