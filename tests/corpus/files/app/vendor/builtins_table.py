COCOA_TYPES = {'CMBufferQueueTriggerCondition', 'opaqueCMBufferQueueTriggerToken', 'sfntCMapEncoding',
               'opaqueCMSimpleQueue', 'sfntDescriptorHeader'}
