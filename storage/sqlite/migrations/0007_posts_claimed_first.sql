-- Posts in channels (role posts, the plain channel post) are claimed ahead of DMs of the same priority:
-- the claim's order, so a claim still reads only the rows it takes, however long the queue.
-- (Numbered 0007 on its branch; renumber when merged after another 0007.)

CREATE INDEX deliveries_due_posts_first ON deliveries (state, priority, recipient_kind = 'dm', id);
DROP INDEX deliveries_due;
