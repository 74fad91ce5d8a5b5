// iov_iter pages put into an skb's frags (modelled on net/core/datagram.c
// zerocopy_fill_skb_from_iter() of 6.12); on a short fill the last frag
// of the same skb is dropped with skb_frag_unref() (the skb release of
// net/core/skbuff.c is reached through no variable: see plan.md).
#include <linux/mm.h>
#include <linux/skbuff.h>

void sk_drop_last_frag(struct sk_buff *skb)
{
	skb_frag_unref(skb, skb_shinfo(skb)->nr_frags - 1);
}

int sk_fill_skb_from_iter(struct sk_buff *skb, struct iov_iter *from, size_t length)
{
	int frag = skb_shinfo(skb)->nr_frags;

	while (length && iov_iter_count(from)) {
		struct page *pages[MAX_SKB_FRAGS];
		size_t start;
		ssize_t copied;
		int n = 0;

		copied = iov_iter_get_pages2(from, pages, length, MAX_SKB_FRAGS - frag, &start);
		if (copied < 0)
			return -EFAULT;
		length -= copied;
		while (copied) {
			int size = min_t(int, copied, PAGE_SIZE - start);

			copied -= size;
			skb_fill_page_desc_noacc(skb, frag++, pages[n++], start, size);
			start = 0;
		}
	}
	if (length) {
		sk_drop_last_frag(skb);
		return -EMSGSIZE;
	}
	return 0;
}
