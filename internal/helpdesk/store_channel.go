package helpdesk

// ChannelReads are the extra read queries of channel setup and the webhook endpoint.
type ChannelReads interface{}

// ChannelWrites are the extra writes of channel setup and the webhook endpoint.
type ChannelWrites interface{}
