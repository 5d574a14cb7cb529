"""Photos as evidence for moderators (issue 24): /report's `photo` and `photo2`, taken in after the reply,
stripped of their metadata, dated, checked for reuse and posted only in the private queue channel."""

from bot.core.feature import Host


async def setup(host: Host) -> None:
    from bot.features.photos.intake import PhotoIntake

    intake = PhotoIntake(host.services)
    host.services.hooks.photos_sent = intake.accept
    host.services.hooks.photo_posts_removed = intake.remove_posts_soon
    await host.bot.add_cog(intake)
